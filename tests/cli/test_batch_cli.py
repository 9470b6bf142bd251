"""``aiceberg estimate inference --batch FILE``: a table of requests in, each row and the total out."""

import csv
import json

import pytest

from aiceberg.cli import main
from aiceberg.model.inference import estimate_inference

np = pytest.importorskip("numpy", reason="numpy is in the [test] and [analysis] extras")

ROWS = [  # parameters_b, output_tokens, latency_s, location, hardware
    ("70", "400", "", "US", "h100"),
    ("8", "250", "2.5", "FR", "a100"),
    ("405:405:500", "1000", "", "DE", ""),
]


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def _write(path, header, rows):
    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(header)
        w.writerows(rows)
    return str(path)


def _per_call(row, **kw):
    p, t, lat, loc, hw = row
    params = tuple(float(x) for x in p.split(":")) if ":" in p else float(p)
    return estimate_inference(parameters_b=params, output_tokens=float(t), latency_s=float(lat) if lat else None,
                              location=loc, hardware=hw or None, **kw)


def test_each_row_written_and_the_total_printed(tmp_path, capsys):
    src = _write(tmp_path / "req.csv", ["--parameters-b", "output_tokens", "latency_s", "location", "hardware"], ROWS)
    out_csv = tmp_path / "rows.csv"
    code, out, _ = run(capsys, "estimate", "inference", "--batch", src, "--pue", "1.2", "--output", str(out_csv),
                       "--json")
    assert code == 0
    d = json.loads(out)
    assert (d["rows"], d["requests"]) == (3, 3)
    with open(out_csv, encoding="utf-8") as fh:
        written = list(csv.DictReader(fh))
    assert [r["row"] for r in written] == ["1", "2", "3"]
    total = 0.0
    for row, got in zip(ROWS, written, strict=True):
        one = _per_call(row, pue=1.2)
        assert float(got["co2e_kg"]) == pytest.approx(one.co2e_kg.central, rel=1e-12)
        assert float(got["energy_kwh_high"]) == pytest.approx(one.energy_kwh.high, rel=1e-12)
        total += one.co2e_kg.central
    assert d["co2e_kg"] == pytest.approx(total, rel=1e-12)
    assert set(d["impacts"]) == {"gwp", "pe", "adpe", "water"} and d["sci"]["per"] == "request"


def test_parquet_in_and_out(tmp_path, capsys):
    pa = pytest.importorskip("pyarrow", reason="pyarrow is in the [test] and [parquet] extras")
    import pyarrow.parquet as pq

    pq.write_table(pa.table({"parameters_b": [70.0, 8.0], "output_tokens": [400, 250], "requests": [10, 1]}),
                   tmp_path / "req.parquet")
    code, out, _ = run(capsys, "estimate", "inference", "--batch", str(tmp_path / "req.parquet"), "--location", "FR",
                       "--output", str(tmp_path / "rows.parquet"), "--json")
    assert code == 0
    rows = pq.read_table(tmp_path / "rows.parquet").to_pydict()
    one = estimate_inference(parameters_b=70, output_tokens=400, location="FR", requests=10)
    assert rows["co2e_kg"][0] == pytest.approx(one.co2e_kg.central, rel=1e-12)
    assert json.loads(out)["requests"] == 11


def test_french_numbers_ranges_in_low_high_columns(tmp_path, capsys):
    src = _write(tmp_path / "fr.csv", ["parameters_b", "parameters_b_high", "output_tokens", "wue"][:3],
                 [["1,5", "3", "1 000"], ["70", "", "400"]])
    code, out, err = run(capsys, "estimate", "inference", "--batch", src, "--intensity", "300", "--lang", "fr",
                         "--json")
    assert code == 0, err
    d = json.loads(out)
    low = estimate_inference(parameters_b=1.5, output_tokens=1000, intensity_g_per_kwh=300)
    high = estimate_inference(parameters_b=3, output_tokens=1000, intensity_g_per_kwh=300)
    other = estimate_inference(parameters_b=70, output_tokens=400, intensity_g_per_kwh=300)
    assert d["energy_kwh"] == pytest.approx(low.energy_kwh.central + other.energy_kwh.central, rel=1e-12)
    assert d["energy_kwh_high"] == pytest.approx(high.energy_kwh.high + other.energy_kwh.high, rel=1e-12)


@pytest.mark.parametrize(("header", "rows", "extra", "needle"), [
    (["parameters_b", "output_tokenz"], [["70", "400"]], [], "output_tokens"),          # a typo: the closest name
    (["parameters_b", "output_tokens"], [["70", "400"], ["abc", "3"]], [], "row 2"),     # a bad cell: its row
    (["parameters_b", "output_tokens"], [["70", "400"], ["-3", "3"]], [], "row 2"),      # out of bounds: its row
    (["parameters_b", "output_tokens"], [["70", "400", "9"]], [], "row 1"),              # a ragged row
    (["parameters_b", "output_tokens"], [["70", "400"]], ["--parameters-b", "8"], "--parameters-b"),  # twice
    (["parameters_b", "output_tokens"], [["70", "400"]], ["--device", "laptop", "--device-seconds", "3"], "--device"),
])
def test_bad_tables_get_one_line_and_exit_2(tmp_path, capsys, header, rows, extra, needle):
    src = _write(tmp_path / "bad.csv", header, rows)
    code, out, err = run(capsys, "estimate", "inference", "--batch", src, "--location", "FR", *extra)
    assert code == 2 and out == ""
    assert needle in err and "Traceback" not in err and len(err.strip().splitlines()) == 1


def test_output_without_batch_and_a_missing_file_are_refused(tmp_path, capsys):
    code, _, err = run(capsys, "estimate", "inference", "--wh-per-request", "1", "--output", "x.csv")
    assert code == 2 and "--output" in err and "--batch" in err
    code, _, err = run(capsys, "estimate", "inference", "--batch", str(tmp_path / "none.csv"))
    assert code == 2 and "none.csv" in err
    code, _, err = run(capsys, "estimate", "inference", "--batch", str(tmp_path / "x.xlsx"))
    assert code == 2 and ".parquet" in err


def test_the_sci_per_token(tmp_path, capsys):
    src = _write(tmp_path / "req.csv", ["parameters_b", "output_tokens", "requests"], [["70", "400", "2"],
                                                                                       ["8", "100", "1"]])
    code, out, _ = run(capsys, "estimate", "inference", "--batch", src, "--location", "US", "--sci-per", "token",
                       "--json")
    d = json.loads(out)
    assert code == 0 and d["sci"]["per"] == "token" and d["sci"]["r"]["value"] == 900
    assert d["sci"]["value"] * 900 == pytest.approx(d["co2e_kg"] * 1000, rel=1e-12)
    code, out, _ = run(capsys, "estimate", "inference", "--parameters-b", "70", "--output-tokens", "400",
                       "--requests", "10", "--location", "US", "--sci-per", "token", "--json")
    d = json.loads(out)
    assert d["sci"]["r"]["value"] == 4000 and d["sci"]["value"] * 4000 == pytest.approx(d["co2e_kg"] * 1000)
    code, _, err = run(capsys, "estimate", "inference", "--wh-per-request", "1", "--sci-per", "token")
    assert code == 2 and "--sci-per" in err
