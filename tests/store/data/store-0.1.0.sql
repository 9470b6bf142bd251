-- A run store written by aiceberg 0.1.0 (commit 7aedbe5) through its own tracker and store API, then
-- dumped with sqlite3's iterdump. The upgrade tests (test_upgrade.py) load it into SQLite, and row by row
-- into PostgreSQL tables made by 0.1.0's PostgreSQL migration, and open it with the current code.
-- Made with: PYTHONPATH=<0.1.0>/src python make_old_store.py /tmp/old.db tests/tracker > store-0.1.0.sql
-- where make_old_store.py was:
--
--   """Builds tests/store/data/store-0.1.0.sql with aiceberg 0.1.0's own code (run with its src on PYTHONPATH)."""
--   import os, socket, sqlite3, sys, time, warnings
--   warnings.simplefilter("ignore")
--   sys.path.insert(0, sys.argv[2])  # tests/tracker, for fake_sensor
--   from fake_sensor import CounterSensor
--   from aiceberg.measure.tracker import track
--   from aiceberg.store import ChannelRow, NewRun, PhaseRow, SampleRow, open_store
--
--   db = sys.argv[1]
--   with track(sensors=[CounterSensor(power_w=40.0), CounterSensor("fake-gpu", power_w=250.0, domain="gpu", fail_every=4)],
--              store=db, interval_s=0.05, flush_every_s=0.2, location="FR", name="old tracked run",
--              command="python train.py --epochs 2") as run:
--       with run.phase("epoch 1"):
--           time.sleep(0.4)
--       with run.phase("epoch 2"):
--           time.sleep(0.4)
--   store = open_store(db, check_stale=False)
--   host = socket.gethostname()
--   # a run killed before its end (still 'running', partial figures), with a sample of a channel it did not declare
--   store.create_run(NewRun("killed-0001", "2025-02-01T10:00:00.000Z", 1738404000.0, 999999, "elsewhere",
--                           name="killed", command="python long.py", location="DE"),
--                    [ChannelRow("rapl:0", "rapl", "cpu", "package-0", "measured")])
--   store.append("killed-0001", [SampleRow(0.0, "rapl:0", 0.0, 12.5), SampleRow(1.0, "rapl:0", 12.5),
--                                SampleRow(1.0, "nvml:0", 100.0, 100.0), SampleRow(2.0, "rapl:0", None, None, "EIO"),
--                                SampleRow(3.0, "rapl:0", 37.5)],
--                [PhaseRow(0, "warm-up", 0.0, 2.0, 25.0), PhaseRow(1, "train", 2.0)],
--                heartbeat_unix=1738404003.0, partial={"duration_s": 3.0, "energy_kwh": 137.5 / 3.6e6})
--   # the same reading written twice (a retried flush)
--   store.append("killed-0001", [SampleRow(3.0, "rapl:0", 37.5)], heartbeat_unix=1738404003.0)
--   # a failed run with an empty summary
--   store.create_run(NewRun("failed-0002", "2025-03-01T00:00:00.000Z", 1740787200.0, 1, "elsewhere"), [])
--   store.finish_run("failed-0002", status="failed", ended_at="2025-03-01T00:00:01.000Z", duration_s=1.0,
--                    energy_kwh=None, co2e_kg=None, exit_code=3, end_reason="exit code 3", summary={})
--   store.close()
--   conn = sqlite3.connect(db)
--   conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
--   print("-- A run store written by aiceberg 0.1.0 (commit 7aedbe5) through its own tracker and store API:")
--   print("-- tests/store/data/make_old_store.py. The upgrade tests load it into SQLite (and, row by row, into")
--   print("-- PostgreSQL with 0.1.0's PostgreSQL tables) and open it with the current code.")
--   for line in conn.iterdump():
--       print(line)
BEGIN TRANSACTION;
CREATE TABLE channels (
            run_id      TEXT NOT NULL REFERENCES runs (run_id) ON DELETE CASCADE,
            channel_id  TEXT NOT NULL,
            sensor      TEXT NOT NULL,
            domain      TEXT NOT NULL,
            label       TEXT NOT NULL,
            method      TEXT NOT NULL,
            PRIMARY KEY (run_id, channel_id)
        );
INSERT INTO "channels" VALUES('08af99db5a0b4244a843a216a3556638','fake-rapl:0','fake-rapl','cpu','fake-rapl cpu','measured');
INSERT INTO "channels" VALUES('08af99db5a0b4244a843a216a3556638','fake-gpu:0','fake-gpu','gpu','fake-gpu gpu','measured');
INSERT INTO "channels" VALUES('killed-0001','rapl:0','rapl','cpu','package-0','measured');
CREATE TABLE phases (
            run_id      TEXT NOT NULL REFERENCES runs (run_id) ON DELETE CASCADE,
            idx         INTEGER NOT NULL,
            name        TEXT NOT NULL,
            start_s     REAL NOT NULL,
            end_s       REAL,
            energy_j    REAL,
            PRIMARY KEY (run_id, idx)
        );
INSERT INTO "phases" VALUES('08af99db5a0b4244a843a216a3556638',0,'epoch 1',3.9103759997942688642e-03,4.04062645999829328502e-01,1.16043568629945639261e+02);
INSERT INTO "phases" VALUES('08af99db5a0b4244a843a216a3556638',1,'epoch 2',4.0409564499987027375e-01,8.04232345999935205327e-01,1.16047950150007181944e+02);
INSERT INTO "phases" VALUES('killed-0001',0,'warm-up',0.0,2.0,25.0);
INSERT INTO "phases" VALUES('killed-0001',1,'train',2.0,NULL,NULL);
CREATE TABLE runs (
            run_id          TEXT PRIMARY KEY,
            status          TEXT NOT NULL CHECK (status IN ('running','finished','interrupted','failed')),
            name            TEXT,
            project         TEXT NOT NULL DEFAULT 'default',
            command         TEXT,
            location        TEXT,
            pid             INTEGER NOT NULL,
            hostname        TEXT NOT NULL,
            started_at      TEXT NOT NULL,
            started_unix    REAL NOT NULL,
            ended_at        TEXT,
            heartbeat_unix  REAL,
            interval_s      REAL NOT NULL,
            flush_every_s   REAL NOT NULL,
            duration_s      REAL,
            energy_kwh      REAL,
            co2e_kg         REAL,
            exit_code       INTEGER,
            end_reason      TEXT,
            summary_json    TEXT
        );
INSERT INTO "runs" VALUES('08af99db5a0b4244a843a216a3556638','finished','old tracked run','default','python train.py --epochs 2','FR',29783,'vm','2026-12-01T14:17:45.679Z',1.79613466567928123469e+09,'2026-12-01T14:17:46.483Z',1.79613466650242114067e+09,0.05,0.2,8.04470028999958230997e-01,6.48026970805618598428e-05,1.96039500471901339132e-05,NULL,NULL,'{"run_id": "08af99db5a0b4244a843a216a3556638", "name": "old tracked run", "project": "default", "status": "finished", "end_reason": null, "command": "python train.py --epochs 2", "started_at": "2026-12-01T14:17:45.679Z", "ended_at": "2026-12-01T14:17:46.483Z", "duration_s": 0.8044700289999582, "exit_code": null, "energy_kwh": 6.480269708056186e-05, "co2e_kg": 1.9603950047190134e-05, "co2e_kg_low": 8.8851311504881e-06, "co2e_kg_high": 7.320780221797344e-05, "location": "FR", "pue": null, "interval_s": 0.05, "samples": 22, "domains_kwh": {"cpu": 8.93837951111133e-06, "gpu": 5.5864317569450526e-05}, "sensors": [{"name": "fake-rapl", "status": "measured", "energy_kwh": 8.93837951111133e-06, "reason": "energy counter", "channels": [{"id": "fake-rapl:0", "domain": "cpu", "label": "fake-rapl cpu", "energy_kwh": 8.93837951111133e-06, "counted": true, "reads": 22, "gaps": 0, "last_error": null}]}, {"name": "fake-gpu", "status": "measured", "energy_kwh": 5.5864317569450526e-05, "reason": "energy counter; 5 failed reads (gaps bridged by the counter)", "channels": [{"id": "fake-gpu:0", "domain": "gpu", "label": "fake-gpu gpu", "energy_kwh": 5.5864317569450526e-05, "counted": true, "reads": 17, "gaps": 5, "last_error": "EIO"}]}], "attribution": {"energy_kwh": 5.5864317569450526e-05, "cpu_share": 0.0, "cpu_time_s": 0.0, "cpu_basis": "CPU time of the tracked process tree / busy CPU time of the machine, per flush window", "cpu_error": null, "gpu_methods": {"fake-gpu:0": "whole-gpu (no process information)"}}, "idle": null, "phases": [{"name": "epoch 1", "start_s": 0.003910375999794269, "end_s": 0.40406264599982933, "duration_s": 0.40015227000003506, "energy_kwh": 3.223432461942934e-05}, {"name": "epoch 2", "start_s": 0.4040956449998703, "end_s": 0.8042323459999352, "duration_s": 0.40013670100006493, "energy_kwh": 3.2235541708335326e-05}], "prediction": null, "host": {"hostname": "vm", "os": "Linux-6.18.44-fc-v669-x86_64-with-glibc2.36", "python_version": "3.11.7", "cpu_model": "AMD EPYC", "cpu_count": 2, "ram_total_gb": 25.276502016, "gpu_count": 1, "gpu_models": ["fake-gpu gpu"]}, "warnings": ["GPU ''fake-gpu gpu'' is not in the reference data: the class default is used"], "footprint": {"title": "Measured run on vm", "energy_kwh": 0.00010238826138728775, "energy_kwh_low": 7.128296678861805e-05, "energy_kwh_high": 0.00016200674270140463, "co2e_kg": 1.9603950047190134e-05, "co2e_kg_low": 8.8851311504881e-06, "co2e_kg_high": 7.320780221797344e-05, "visible_co2e_kg": 3.628951036511464e-06, "submerged_co2e_kg": 1.597499901067867e-05, "status": "default", "parts": [{"name": "cpu.dynamic", "energy_kwh": 8.93837951111133e-06, "energy_kwh_low": 8.93837951111133e-06, "energy_kwh_high": 8.93837951111133e-06, "co2e_kg": 5.005492526222345e-07, "co2e_kg_low": 4.2546686472889934e-07, "co2e_kg_high": 5.756316405155696e-07, "status": "measured", "visible": true, "phase": "use", "sources": ["owid-ember-energy", "codecarbon-data"], "detail": "0.008938 Wh measured by the cpu sensors"}, {"name": "gpu.dynamic", "energy_kwh": 5.5864317569450526e-05, "energy_kwh_low": 5.5864317569450526e-05, "energy_kwh_high": 5.5864317569450526e-05, "co2e_kg": 3.1284017838892294e-06, "co2e_kg_low": 2.6591415163058453e-06, "co2e_kg_high": 3.5976620514726134e-06, "status": "measured", "visible": true, "phase": "use", "sources": ["owid-ember-energy", "codecarbon-data"], "detail": "0.05586 Wh measured by the gpu sensors"}, {"name": "cooling_overhead", "energy_kwh": 3.7585564306725887e-05, "energy_kwh_low": 6.4802697080561916e-06, "energy_kwh_high": 9.720404562084278e-05, "co2e_kg": 2.1047916011766496e-06, "co2e_kg_low": 3.0846083810347473e-07, "co2e_kg_high": 6.2599405379822744e-06, "status": "default", "visible": false, "phase": "use", "sources": ["uptime-survey-2023", "google-env-report-2024", "owid-ember-energy", "codecarbon-data"], "detail": "(PUE 1.58 \u2212 1) \u00d7 6.48027e-05 kWh of IT electricity"}, {"name": "embodied.gpu", "energy_kwh": 0.0, "energy_kwh_low": 0.0, "energy_kwh_high": 0.0, "co2e_kg": 1.3655126659913637e-06, "co2e_kg_low": 7.502816846106394e-07, "co2e_kg_high": 5.753159957594383e-06, "status": "default", "visible": false, "phase": "manufacturing", "sources": ["ecologits-0.11", "luccioni-2023-bloom", "boavizta-api-2.5", "luccioni-2023-bloom", "ecologits-2025"], "detail": "273 kgCO2e per gpu \u00d7 0.000223464 gpu-h / (6 y \u00d7 8,760 h \u00d7 85%) [use-time]"}, {"name": "embodied.server", "energy_kwh": 0.0, "energy_kwh_low": 0.0, "energy_kwh_high": 0.0, "co2e_kg": 1.2504694743510657e-05, "co2e_kg_low": 4.741780246739241e-06, "co2e_kg_high": 5.702140803040859e-05, "status": "default", "visible": false, "phase": "manufacturing", "sources": ["luccioni-2023-bloom", "boavizta-api-2.5", "ecologits-0.11", "luccioni-2023-bloom", "ecologits-2025"], "detail": "2,500 kgCO2e per server \u00d7 0.000223464 server-h / (6 y \u00d7 8,760 h \u00d7 85%) [use-time]"}], "factors": [{"id": "intensity:FR", "name": "grid carbon intensity, France (lifecycle)", "value": 56.0, "low": 47.6, "high": 64.39999999999999, "unit": "gCO2e/kWh", "status": "published", "year": 2023, "sources": ["owid-ember-energy", "codecarbon-data"]}, {"id": "pue:unknown", "name": "PUE, Unknown data centre (global survey average)", "value": 1.58, "low": 1.1, "high": 2.5, "unit": "1", "status": "default", "year": 2023, "sources": ["uptime-survey-2023", "google-env-report-2024"]}, {"id": "factor:embodied_lifetime_years", "name": "service life of data-centre hardware", "value": 6.0, "low": 3.0, "high": 6.0, "unit": "year", "status": "default", "year": 2023, "sources": ["luccioni-2023-bloom", "ecologits-2025"]}, {"id": "factor:embodied_utilisation", "name": "share of its life the hardware is in use", "value": 0.85, "low": 0.85, "high": 0.85, "unit": "1", "status": "default", "year": 2023, "sources": ["luccioni-2023-bloom"]}], "warnings": ["GPU ''fake-gpu gpu'' is not in the reference data: the class default is used"], "sources": ["owid-ember-energy", "codecarbon-data", "uptime-survey-2023", "google-env-report-2024", "ecologits-0.11", "luccioni-2023-bloom", "boavizta-api-2.5", "ecologits-2025"]}}');
INSERT INTO "runs" VALUES('killed-0001','running','killed','default','python long.py','DE',999999,'elsewhere','2025-02-01T10:00:00.000Z',1738404000.0,NULL,1738404003.0,1.0,5.0,3.0,3.81944444444444437336e-05,NULL,NULL,NULL,NULL);
INSERT INTO "runs" VALUES('failed-0002','failed',NULL,'default',NULL,NULL,1,'elsewhere','2025-03-01T00:00:00.000Z',1740787200.0,'2025-03-01T00:00:01.000Z',1.79613466650502967827e+09,1.0,5.0,1.0,NULL,NULL,3,'exit code 3','{}');
CREATE TABLE samples (
            run_id      TEXT NOT NULL REFERENCES runs (run_id) ON DELETE CASCADE,
            t_s         REAL NOT NULL,
            channel_id  TEXT NOT NULL,
            energy_j    REAL,
            power_w     REAL,
            error       TEXT
        );
INSERT INTO "samples" VALUES('08af99db5a0b4244a843a216a3556638',7.85099996392091270536e-06,'fake-rapl:0',0.0,NULL,NULL);
INSERT INTO "samples" VALUES('08af99db5a0b4244a843a216a3556638',2.02599999283847864717e-05,'fake-gpu:0',0.0,NULL,NULL);
INSERT INTO "samples" VALUES('08af99db5a0b4244a843a216a3556638',3.89058699988709122408e-03,'fake-rapl:0',1.55309439996926812455e-01,NULL,NULL);
INSERT INTO "samples" VALUES('08af99db5a0b4244a843a216a3556638',3.90392700001029879786e-03,'fake-gpu:0',9.70916750020478502847e-01,NULL,NULL);
INSERT INTO "samples" VALUES('08af99db5a0b4244a843a216a3556638',5.02077959999951417557e-02,'fake-rapl:0',2.00799780000124883372e+00,NULL,NULL);
INSERT INTO "samples" VALUES('08af99db5a0b4244a843a216a3556638',5.02292979999765520915e-02,'fake-gpu:0',1.25522595000120418262e+01,NULL,NULL);
INSERT INTO "samples" VALUES('08af99db5a0b4244a843a216a3556638',1.00194375000000945874e-01,'fake-rapl:0',4.00746096000148099847e+00,NULL,NULL);
INSERT INTO "samples" VALUES('08af99db5a0b4244a843a216a3556638',1.00220032999914110405e-01,'fake-gpu:0',NULL,NULL,'EIO');
INSERT INTO "samples" VALUES('08af99db5a0b4244a843a216a3556638',1.50189455999907295336e-01,'fake-rapl:0',6.00726419999773497693e+00,NULL,NULL);
INSERT INTO "samples" VALUES('08af99db5a0b4244a843a216a3556638',1.50213731999883748358e-01,'fake-gpu:0',3.75483679999888408929e+01,NULL,NULL);
INSERT INTO "samples" VALUES('08af99db5a0b4244a843a216a3556638',2.00184266999940518871e-01,'fake-rapl:0',8.00705663999906391836e+00,NULL,NULL);
INSERT INTO "samples" VALUES('08af99db5a0b4244a843a216a3556638',2.00209534999885363504e-01,'fake-gpu:0',5.00473187499892446794e+01,NULL,NULL);
INSERT INTO "samples" VALUES('08af99db5a0b4244a843a216a3556638',2.50169303999882686184e-01,'fake-rapl:0',1.00064581199967506108e+01,NULL,NULL);
INSERT INTO "samples" VALUES('08af99db5a0b4244a843a216a3556638',2.50189843999805816565e-01,'fake-gpu:0',6.25423959999693579447e+01,NULL,NULL);
INSERT INTO "samples" VALUES('08af99db5a0b4244a843a216a3556638',3.00155657000004794099e-01,'fake-rapl:0',1.20059122400016349274e+01,NULL,NULL);
INSERT INTO "samples" VALUES('08af99db5a0b4244a843a216a3556638',3.00177630000007411581e-01,'fake-gpu:0',NULL,NULL,'EIO');
INSERT INTO "samples" VALUES('08af99db5a0b4244a843a216a3556638',3.50187482999899657443e-01,'fake-rapl:0',1.40071852799974294612e+01,NULL,NULL);
INSERT INTO "samples" VALUES('08af99db5a0b4244a843a216a3556638',3.50211577999971268582e-01,'fake-gpu:0',8.75478295000107209489e+01,NULL,NULL);
INSERT INTO "samples" VALUES('08af99db5a0b4244a843a216a3556638',4.00153670999998212209e-01,'fake-rapl:0',1.60058328000013716518e+01,NULL,NULL);
INSERT INTO "samples" VALUES('08af99db5a0b4244a843a216a3556638',4.00176324999847565777e-01,'fake-gpu:0',1.00039016249979795247e+02,NULL,NULL);
INSERT INTO "samples" VALUES('08af99db5a0b4244a843a216a3556638',4.04031058999862580094e-01,'fake-rapl:0',1.61609283199959463672e+01,NULL,NULL);
INSERT INTO "samples" VALUES('08af99db5a0b4244a843a216a3556638',4.04055725999796777614e-01,'fake-gpu:0',1.01008866499967098206e+02,NULL,NULL);
INSERT INTO "samples" VALUES('08af99db5a0b4244a843a216a3556638',4.04086670999959096661e-01,'fake-rapl:0',1.61631527999998070299e+01,NULL,NULL);
INSERT INTO "samples" VALUES('08af99db5a0b4244a843a216a3556638',4.04090466999832642613e-01,'fake-gpu:0',NULL,NULL,'EIO');
INSERT INTO "samples" VALUES('08af99db5a0b4244a843a216a3556638',4.50178866999976889928e-01,'fake-rapl:0',1.80068406400005187606e+01,NULL,NULL);
INSERT INTO "samples" VALUES('08af99db5a0b4244a843a216a3556638',4.50201530999947863165e-01,'fake-gpu:0',1.12545317750004869594e+02,NULL,NULL);
INSERT INTO "samples" VALUES('08af99db5a0b4244a843a216a3556638',5.00173026999846115359e-01,'fake-rapl:0',2.00066070399952877778e+01,NULL,NULL);
INSERT INTO "samples" VALUES('08af99db5a0b4244a843a216a3556638',5.00194899999996778205e-01,'fake-gpu:0',1.25043660000017098354e+02,NULL,NULL);
INSERT INTO "samples" VALUES('08af99db5a0b4244a843a216a3556638',5.50172654999869337189e-01,'fake-rapl:0',2.2006592159996216651e+01,NULL,NULL);
INSERT INTO "samples" VALUES('08af99db5a0b4244a843a216a3556638',0.550197862999994,'fake-gpu:0',1.3754440075001639343e+02,NULL,NULL);
INSERT INTO "samples" VALUES('08af99db5a0b4244a843a216a3556638',6.0019226299982619821e-01,'fake-rapl:0',2.40073764799944910919e+01,NULL,NULL);
INSERT INTO "samples" VALUES('08af99db5a0b4244a843a216a3556638',6.00216187999876638059e-01,'fake-gpu:0',NULL,NULL,'EIO');
INSERT INTO "samples" VALUES('08af99db5a0b4244a843a216a3556638',6.50189526999838562915e-01,'fake-rapl:0',2.600726703999498568e+01,NULL,NULL);
INSERT INTO "samples" VALUES('08af99db5a0b4244a843a216a3556638',6.50217118000000482425e-01,'fake-gpu:0',1.62549214500018024409e+02,NULL,NULL);
INSERT INTO "samples" VALUES('08af99db5a0b4244a843a216a3556638',7.00153322000005573499e-01,'fake-rapl:0',2.80058188400016661034e+01,NULL,NULL);
INSERT INTO "samples" VALUES('08af99db5a0b4244a843a216a3556638',7.00174333999939335626e-01,'fake-gpu:0',1.7503851850000273771e+02,NULL,NULL);
INSERT INTO "samples" VALUES('08af99db5a0b4244a843a216a3556638',7.50172934999909557518e-01,'fake-rapl:0',3.00066033599978254642e+01,NULL,NULL);
INSERT INTO "samples" VALUES('08af99db5a0b4244a843a216a3556638',7.50195928999801253667e-01,'fake-gpu:0',1.8754391724996821722e+02,NULL,NULL);
INSERT INTO "samples" VALUES('08af99db5a0b4244a843a216a3556638',8.00173659999927622266e-01,'fake-rapl:0',3.20066323599985480541e+01,NULL,NULL);
INSERT INTO "samples" VALUES('08af99db5a0b4244a843a216a3556638',8.00198155999851223896e-01,'fake-gpu:0',NULL,NULL,'EIO');
INSERT INTO "samples" VALUES('08af99db5a0b4244a843a216a3556638',8.04218855999806692125e-01,'fake-rapl:0',3.21684401999937108485e+01,NULL,NULL);
INSERT INTO "samples" VALUES('08af99db5a0b4244a843a216a3556638',8.04226376999849890125e-01,'fake-gpu:0',2.01051529249980376334e+02,NULL,NULL);
INSERT INTO "samples" VALUES('08af99db5a0b4244a843a216a3556638',8.04462006999983714194e-01,'fake-rapl:0',3.21781662400007917312e+01,NULL,NULL);
INSERT INTO "samples" VALUES('08af99db5a0b4244a843a216a3556638',0.804466433000016,'fake-gpu:0',2.01111543250021895801e+02,NULL,NULL);
INSERT INTO "samples" VALUES('killed-0001',0.0,'rapl:0',0.0,12.5,NULL);
INSERT INTO "samples" VALUES('killed-0001',1.0,'rapl:0',12.5,NULL,NULL);
INSERT INTO "samples" VALUES('killed-0001',1.0,'nvml:0',100.0,100.0,NULL);
INSERT INTO "samples" VALUES('killed-0001',2.0,'rapl:0',NULL,NULL,'EIO');
INSERT INTO "samples" VALUES('killed-0001',3.0,'rapl:0',37.5,NULL,NULL);
INSERT INTO "samples" VALUES('killed-0001',3.0,'rapl:0',37.5,NULL,NULL);
CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL);
INSERT INTO "schema_migrations" VALUES(1,'runs, channels, samples, phases','2026-12-01T14:17:45.679Z');
CREATE INDEX runs_started ON runs (started_unix);
CREATE INDEX runs_status ON runs (status);
CREATE INDEX samples_run ON samples (run_id, t_s);
COMMIT;
