"""The OpenAPI 3.1 document of the JSON API, written from the fields of ``schema.py``."""

from __future__ import annotations

from typing import Any

from aiceberg import __version__
from aiceberg.refdata import follows_data
from aiceberg.web.schema import NAMES, fields_of

MAX_BODY = 64 * 1024  # bytes of a request body (``app.MAX_BODY``)

_SUMMARIES = {
    "training": "Footprint of a training run: hardware × count × hours (or GPU-hours, or FLOPs at an MFU)",
    "inference": "Footprint of inference requests: a per-request figure × requests",
    "usage": "Footprint of usage at scale: users × requests per day × days",
    "my-ai-day": "A person's yearly footprint of everyday AI uses, and what each action saves",
}
PATHS = {"training": "/api/estimate/training", "inference": "/api/estimate/inference",
         "usage": "/api/estimate/usage", "my-ai-day": "/api/my-ai-day"}


def _body_schema(endpoint: str) -> dict[str, Any]:
    fields = fields_of(endpoint)
    return {"type": "object", "additionalProperties": False,
            "properties": {f.name: f.json_schema() for f in fields},
            "required": [f.name for f in fields if f.required]}


_ERROR = {"type": "object", "required": ["detail"], "properties": {"detail": {
    "type": "array", "items": {"type": "object", "required": ["field", "message"], "properties": {
        "field": {"type": "string", "description": "the field's name in this API (body, path, host, store…)"},
        "message": {"type": "string", "description": "what is wrong, in the request's language"},
        "accepted": {"type": ["string", "null"], "description": "what the field accepts"},
        "code": {"type": ["string", "null"],
                 "description": "the message's key in aiceberg's catalog (stable, for programs)"}}}}}}

_RUN = {"type": "object", "required": ["run_id", "status", "started_at", "hostname"], "properties": {
    "run_id": {"type": "string"}, "status": {"type": "string"}, "started_at": {"type": "string"},
    "ended_at": {"type": ["string", "null"]}, "duration_s": {"type": ["number", "null"]},
    "energy_kwh": {"type": ["number", "null"]}, "co2e_kg": {"type": ["number", "null"]},
    "exit_code": {"type": ["integer", "null"]}, "name": {"type": ["string", "null"]},
    "project": {"type": ["string", "null"]}, "command": {"type": ["string", "null"]},
    "location": {"type": ["string", "null"]}, "hostname": {"type": "string"}, "pid": {"type": "integer"},
    "end_reason": {"type": ["string", "null"]}}}


def _error(description: str) -> dict[str, Any]:
    return {"description": description,
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}

_FOOTPRINT = {"type": "object", "required": ["co2e_kg", "co2e_kg_low", "co2e_kg_high", "energy_kwh", "parts",
                                             "equivalents"],
              "properties": {
                  "title": {"type": "string"},
                  "co2e_kg": {"type": "number", "minimum": 0}, "co2e_kg_low": {"type": "number", "minimum": 0},
                  "co2e_kg_high": {"type": "number", "minimum": 0}, "energy_kwh": {"type": "number", "minimum": 0},
                  "visible_co2e_kg": {"type": "number"}, "submerged_co2e_kg": {"type": "number"},
                  "parts": {"type": "array", "items": {"type": "object"}},
                  "equivalents": {"type": "object"}, "factors": {"type": "array"},
                  "warnings": {"type": "array", "items": {"type": "string"}},
                  "sources": {"type": "array", "items": {"type": "string"}}}}


def _responses(ok: dict[str, Any], with_422: bool = True) -> dict[str, Any]:
    out: dict[str, Any] = {"200": {"description": "the result", "content": {"application/json": {"schema": ok}}}}
    if with_422:
        out["422"] = _error("bad input: one entry per bad field, naming it, what is wrong and what is accepted")
    out["400"] = _error("the request's Host is not an address this server answers at (DNS rebinding guard)")
    return out


@follows_data  # a cache emptied when the reference data changes (refdata.set_data_dir)
def openapi_document() -> dict[str, Any]:
    paths: dict[str, Any] = {}
    for name in NAMES:
        ok = {"$ref": "#/components/schemas/Footprint"} if name != "my-ai-day" else {
            "allOf": [{"$ref": "#/components/schemas/Footprint"},
                      {"type": "object", "required": ["actions", "uses", "population", "assumptions"]}]}
        paths[PATHS[name]] = {"post": {
            "operationId": name.replace("-", "_"),
            "summary": _SUMMARIES[name],
            "requestBody": {"required": True, "content": {"application/json": {
                "schema": {"$ref": f"#/components/schemas/{name.replace('-', '_')}_input"}}}},
            "responses": {**_responses(ok), "413": _error(f"the body is larger than {MAX_BODY} bytes")},
        }}
    lang = {"name": "lang", "in": "query", "required": False,
            "schema": {"type": "string", "enum": ["en", "fr"], "default": "en"}}
    paths["/api/cases"] = {"get": {"operationId": "list_cases", "summary": "The case library",
                                   "parameters": [lang],
                                   "responses": _responses({"type": "array", "items": {"type": "object"}})}}
    paths["/api/cases/{name}"] = {"get": {
        "operationId": "show_case", "summary": "One case: published, reproduced and the complete iceberg view",
        "parameters": [{"name": "name", "in": "path", "required": True,
                        "schema": {"type": "string", "maxLength": 120}}, lang],
        "responses": {**_responses({"type": "object"}),
                      "404": {"description": "no such case",
                              "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}},
    }}
    page = [{"name": "limit", "in": "query", "required": False,
             "schema": {"type": "integer", "minimum": 1, "maximum": 500, "default": 50}},
            {"name": "offset", "in": "query", "required": False,
             "schema": {"type": "integer", "minimum": 0, "maximum": 10**9, "default": 0}}]
    paths["/api/runs"] = {"get": {
        "operationId": "list_runs", "summary": "The runs of the store, newest first, by pages",
        "parameters": [*page, lang],
        "responses": {**_responses({"type": "object", "required": ["runs", "next_offset"], "properties": {
            "runs": {"type": "array", "items": {"$ref": "#/components/schemas/Run"}},
            "next_offset": {"type": ["integer", "null"], "description": "the offset of the next page, or null"}}}),
            "503": _error("the run store cannot be opened or read: what is wrong, and how to fix it")},
    }}
    schemas: dict[str, Any] = {"Error": _ERROR, "Footprint": _FOOTPRINT, "Run": _RUN}
    for name in NAMES:
        schemas[f"{name.replace('-', '_')}_input"] = _body_schema(name)
    return {
        "openapi": "3.1.0",
        "info": {"title": "aiceberg", "version": __version__,
                 "description": "The whole iceberg of an AI workload's environmental footprint. Every answer "
                 "has a central value with a low–high range, its parts, equivalents and sources. Most numbers "
                 "accept a range [low, central, high] instead of a number, carried into the result. Bad input "
                 "answers 422 with the field's name."},
        "paths": paths,
        "components": {"schemas": schemas},
    }
