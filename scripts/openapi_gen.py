#!/usr/bin/env python3
"""Writes openapi.yaml. The HubSpot object routes are described once here and emitted under
both path prefixes; edit this file and re-run it (python3 scripts/openapi_gen.py)."""
import json, pathlib

ROOT = pathlib.Path(__file__).resolve().parent.parent
TYPE = "goal_targets"
READ, WRITE = "crm.objects.goals.read", "crm.objects.goals.write"

def ref(name): return {"$ref": f"#/components/schemas/{name}"}
def body(schema): return {"required": True, "content": {"application/json": {"schema": ref(schema)}}}
def ok(code, schema, desc="OK"):
    r = {"description": desc}
    if schema: r["content"] = {"application/json": {"schema": ref(schema)}}
    return {str(code): r}
ERR = {"default": {"description": "An error in HubSpot's shape",
                   "content": {"application/json": {"schema": ref("Error")}}}}
def errs(*codes):
    out = {}
    for c in codes:
        out[str(c)] = {"description": {400: "Invalid input", 401: "Missing or unknown token", 403: "Missing scopes",
                       404: "Not found", 413: "Body too large", 503: "Database unavailable"}[c],
                       "content": {"application/json": {"schema": ref("Error")}}}
    return out
def arr_param(name, desc):
    return {"name": name, "in": "query", "required": False, "style": "form", "explode": True,
            "description": desc + " Comma-separated or repeated.", "schema": {"type": "array", "items": {"type": "string"}}}
ID = {"name": "goalTargetId", "in": "path", "required": True, "schema": {"type": "string"}}
PROPS = arr_param("properties", "Properties to return besides hs_createdate, hs_lastmodifieddate and hs_object_id; unknown names are ignored.")
HIST = arr_param("propertiesWithHistory", "Properties to return with their history, newest first.")
ASSOC = arr_param("associations", "Accepted for compatibility; goal targets have no associations.")
ARCH = {"name": "archived", "in": "query", "required": False, "schema": {"type": "boolean", "default": False},
        "description": "true returns only archived objects."}
IDPROP = {"name": "idProperty", "in": "query", "required": False, "schema": {"type": "string"},
          "description": "The property the path id is a value of; hs_object_id (the default) is the record id."}
SEC = lambda s: [{"bearer": [s]}]

def object_paths(prefix, suffix):
    base = f"{prefix}/{TYPE}"
    common = errs(400, 401, 403, 413)
    return {
        base: {
            "get": {"operationId": "list" + suffix, "summary": "List goal targets", "security": SEC(READ),
                    "parameters": [{"name": "limit", "in": "query", "schema": {"type": "integer", "minimum": 1, "default": 10},
                                    "description": "Page size; values over 100 are read as 100."},
                                   {"name": "after", "in": "query", "schema": {"type": "string"},
                                    "description": "paging.next.after of the previous page."},
                                   PROPS, HIST, ASSOC, ARCH],
                    "responses": {**ok(200, "CollectionResponseSimplePublicObjectWithAssociationsForwardPaging"), **errs(400, 401, 403)}},
            "post": {"operationId": "create" + suffix, "summary": "Create a goal target", "security": SEC(WRITE),
                     "requestBody": body("SimplePublicObjectInputForCreate"),
                     "responses": {**ok(201, "SimplePublicObject", "Created"), **common}},
        },
        f"{base}/{{goalTargetId}}": {
            "get": {"operationId": "read" + suffix, "summary": "Read a goal target", "security": SEC(READ),
                    "parameters": [ID, PROPS, HIST, ASSOC, ARCH, IDPROP],
                    "responses": {**ok(200, "SimplePublicObjectWithAssociations"), **errs(400, 401, 403, 404)}},
            "patch": {"operationId": "update" + suffix, "summary": "Update a goal target; an empty string clears a value",
                      "security": SEC(WRITE), "parameters": [ID, IDPROP], "requestBody": body("SimplePublicObjectInput"),
                      "responses": {**ok(200, "SimplePublicObject"), **errs(400, 401, 403, 404, 413)}},
            "delete": {"operationId": "archive" + suffix, "summary": "Archive a goal target (idempotent)",
                       "security": SEC(WRITE), "parameters": [ID],
                       "responses": {**ok(204, None, "Archived"), **errs(401, 403, 404)}},
        },
        f"{base}/batch/read": {"post": {
            "operationId": "batchRead" + suffix, "summary": "Read a batch of goal targets (at most 100; 50 with history)",
            "security": SEC(READ), "parameters": [ARCH], "requestBody": body("BatchReadInputSimplePublicObjectId"),
            "responses": {**ok(200, "BatchResponseSimplePublicObject"),
                          **ok(207, "BatchResponseSimplePublicObjectWithErrors", "Some ids were not found"), **common}}},
        f"{base}/batch/create": {"post": {
            "operationId": "batchCreate" + suffix, "summary": "Create a batch of goal targets in one transaction",
            "security": SEC(WRITE), "requestBody": body("BatchInputSimplePublicObjectBatchInputForCreate"),
            "responses": {**ok(201, "BatchResponseSimplePublicObject", "Created"),
                          **ok(207, "BatchResponseSimplePublicObjectWithErrors", "Every input had objectWriteTraceId; the valid ones were written"),
                          **common}}},
        f"{base}/batch/update": {"post": {
            "operationId": "batchUpdate" + suffix, "summary": "Update a batch of goal targets in one transaction",
            "security": SEC(WRITE), "requestBody": body("BatchInputSimplePublicObjectBatchInput"),
            "responses": {**ok(200, "BatchResponseSimplePublicObject"),
                          **ok(207, "BatchResponseSimplePublicObjectWithErrors", "Every input had objectWriteTraceId; the valid ones were written"),
                          **errs(400, 401, 403, 404, 413)}}},
        f"{base}/batch/upsert": {"post": {
            "operationId": "batchUpsert" + suffix, "summary": "Create or update a batch of goal targets by idProperty",
            "security": SEC(WRITE), "requestBody": body("BatchInputSimplePublicObjectBatchInputUpsert"),
            "responses": {**ok(200, "BatchResponseSimplePublicUpsertObject"),
                          **ok(207, "BatchResponseSimplePublicUpsertObjectWithErrors", "Every input had objectWriteTraceId; the valid ones were written"),
                          **errs(400, 401, 403, 404, 413)}}},
        f"{base}/search": {"post": {
            "operationId": "search" + suffix,
            "summary": "Search goal targets: filterGroups OR-ed, filters AND-ed, run in SQL; strongly consistent, keyset paging, exact total",
            "security": SEC(READ), "requestBody": body("PublicObjectSearchRequest"),
            "responses": {**ok(200, "CollectionResponseWithTotalSimplePublicObjectForwardPaging"), **common}}},
        f"{base}/batch/archive": {"post": {
            "operationId": "batchArchive" + suffix, "summary": "Archive a batch of goal targets in one transaction",
            "security": SEC(WRITE), "requestBody": body("BatchInputSimplePublicObjectId"),
            "responses": {**ok(204, None, "Archived"), **common}}},
    }

STR_MAP = {"type": "object", "additionalProperties": {"type": "string", "nullable": True}}
IN_MAP = {"type": "object", "description": "Property values as strings (numbers and booleans are read as their text).",
          "additionalProperties": {"oneOf": [{"type": "string"}, {"type": "number"}, {"type": "boolean"}], "nullable": True}}
TS = {"type": "string", "format": "date-time"}
VWT = {"type": "object", "required": ["value", "timestamp", "sourceType"], "properties": {
    "value": {"type": "string"}, "timestamp": TS, "sourceType": {"type": "string"}, "sourceId": {"type": "string"},
    "sourceLabel": {"type": "string"}, "updatedByUserId": {"type": "integer"}}}
SPO_PROPS = {"id": {"type": "string"}, "properties": STR_MAP, "createdAt": TS, "updatedAt": TS,
             "archived": {"type": "boolean"}, "archivedAt": TS,
             "propertiesWithHistory": {"type": "object", "additionalProperties": {"type": "array", "items": ref("ValueWithTimestamp")}},
             "objectWriteTraceId": {"type": "string"}}
def spo(extra=None, req_extra=()):
    p = dict(SPO_PROPS); p.update(extra or {})
    return {"type": "object", "required": ["id", "properties", "createdAt", "updatedAt", *req_extra], "properties": p}
BATCH_COMMON = {"status": {"type": "string", "enum": ["PENDING", "PROCESSING", "CANCELED", "COMPLETE"]},
                "startedAt": TS, "completedAt": TS, "requestedAt": TS,
                "links": {"type": "object", "additionalProperties": {"type": "string"}}}
def batch(item, with_errors):
    p = {"results": {"type": "array", "items": ref(item)}, **BATCH_COMMON}
    req = ["status", "results", "startedAt", "completedAt"]
    if with_errors:
        p["numErrors"] = {"type": "integer"}
        p["errors"] = {"type": "array", "items": ref("StandardError")}
    return {"type": "object", "required": req, "properties": p}
WIRE_ID = {"oneOf": [{"type": "string"}, {"type": "integer"}]}
ASSOC_IN = {"type": "array", "items": {"type": "object"}, "description": "Accepted and ignored."}

SCHEMAS = {
    "SimplePublicObject": spo(),
    "SimplePublicObjectWithAssociations": spo({"associations": {"type": "object"}}),
    "SimplePublicUpsertObject": spo({"new": {"type": "boolean"}}, ["new"]),
    "ValueWithTimestamp": VWT,
    "SimplePublicObjectInputForCreate": {"type": "object", "required": ["properties"], "properties": {
        "properties": IN_MAP, "associations": ASSOC_IN}},
    "SimplePublicObjectInput": {"type": "object", "required": ["properties"], "properties": {"properties": IN_MAP}},
    "SimplePublicObjectBatchInputForCreate": {"type": "object", "required": ["properties"], "properties": {
        "properties": IN_MAP, "associations": ASSOC_IN, "objectWriteTraceId": {"type": "string"}}},
    "SimplePublicObjectBatchInput": {"type": "object", "required": ["id", "properties"], "properties": {
        "id": WIRE_ID, "properties": IN_MAP, "idProperty": {"type": "string"}, "objectWriteTraceId": {"type": "string"}}},
    "SimplePublicObjectId": {"type": "object", "required": ["id"], "properties": {"id": WIRE_ID}},
    "BatchReadInputSimplePublicObjectId": {"type": "object", "required": ["inputs"], "properties": {
        "inputs": {"type": "array", "items": ref("SimplePublicObjectId")},
        "properties": {"type": "array", "items": {"type": "string"}},
        "propertiesWithHistory": {"type": "array", "items": {"type": "string"}},
        "idProperty": {"type": "string"}}},
    "BatchInputSimplePublicObjectBatchInputForCreate": {"type": "object", "required": ["inputs"], "properties": {
        "inputs": {"type": "array", "maxItems": 100, "items": ref("SimplePublicObjectBatchInputForCreate")}}},
    "BatchInputSimplePublicObjectBatchInput": {"type": "object", "required": ["inputs"], "properties": {
        "inputs": {"type": "array", "maxItems": 100, "items": ref("SimplePublicObjectBatchInput")}}},
    "BatchInputSimplePublicObjectBatchInputUpsert": {"type": "object", "required": ["inputs"], "properties": {
        "inputs": {"type": "array", "maxItems": 100, "items": ref("SimplePublicObjectBatchInput")}}},
    "BatchInputSimplePublicObjectId": {"type": "object", "required": ["inputs"], "properties": {
        "inputs": {"type": "array", "maxItems": 100, "items": ref("SimplePublicObjectId")}}},
    "BatchResponseSimplePublicObject": batch("SimplePublicObject", False),
    "BatchResponseSimplePublicObjectWithErrors": batch("SimplePublicObject", True),
    "BatchResponseSimplePublicUpsertObject": batch("SimplePublicUpsertObject", False),
    "BatchResponseSimplePublicUpsertObjectWithErrors": batch("SimplePublicUpsertObject", True),
    "CollectionResponseSimplePublicObjectWithAssociationsForwardPaging": {"type": "object", "required": ["results"], "properties": {
        "results": {"type": "array", "items": ref("SimplePublicObjectWithAssociations")}, "paging": ref("ForwardPaging")}},
    "Filter": {"type": "object", "required": ["propertyName", "operator"], "properties": {
        "propertyName": {"type": "string"},
        "operator": {"type": "string", "enum": ["EQ", "NEQ", "LT", "LTE", "GT", "GTE", "BETWEEN", "IN", "NOT_IN",
                                                 "HAS_PROPERTY", "NOT_HAS_PROPERTY", "CONTAINS_TOKEN", "NOT_CONTAINS_TOKEN"]},
        "value": {"type": "string", "description": "Numbers compare numerically, dates and datetimes as instants (epoch ms or ISO 8601), strings case-insensitively, enumerations exactly."},
        "highValue": {"type": "string", "description": "Upper bound of BETWEEN (inclusive)."},
        "values": {"type": "array", "items": {"type": "string"}}}},
    "FilterGroup": {"type": "object", "required": ["filters"], "properties": {
        "filters": {"type": "array", "maxItems": 10, "items": ref("Filter")}}},
    "PublicObjectSearchRequest": {"type": "object", "properties": {
        "filterGroups": {"type": "array", "maxItems": 6, "items": ref("FilterGroup"),
                         "description": "At most 6 groups, 10 filters a group, 25 filters in all."},
        "sorts": {"type": "array", "items": {"oneOf": [
            {"type": "string", "description": "A property name, with a leading - for descending."},
            {"type": "object", "required": ["propertyName"], "properties": {
                "propertyName": {"type": "string"}, "direction": {"type": "string", "enum": ["ASCENDING", "DESCENDING"]}}}]},
            "description": "The first sort applies; default order is by creation."},
        "query": {"type": "string", "maxLength": 3000, "description": "Every word must prefix-match a word of hs_goal_name."},
        "properties": {"type": "array", "items": {"type": "string"}},
        "limit": {"type": "integer", "minimum": 1, "maximum": 200, "default": 10},
        "after": {"type": "string", "description": "paging.next.after of the previous page (a number is read as an offset)."}}},
    "CollectionResponseWithTotalSimplePublicObjectForwardPaging": {"type": "object", "required": ["total", "results"], "properties": {
        "total": {"type": "integer"}, "results": {"type": "array", "items": ref("SimplePublicObject")}, "paging": ref("ForwardPaging")}},
    "ForwardPaging": {"type": "object", "properties": {"next": {"type": "object", "required": ["after"], "properties": {
        "after": {"type": "string"}, "link": {"type": "string"}}}}},
    "ErrorDetail": {"type": "object", "required": ["message"], "properties": {
        "message": {"type": "string"}, "code": {"type": "string"}, "in": {"type": "string"},
        "subCategory": {"type": "string"}, "context": {"type": "object"}}},
    "Error": {"type": "object", "required": ["status", "message", "correlationId", "category"], "properties": {
        "status": {"type": "string", "enum": ["error"]}, "message": {"type": "string"},
        "correlationId": {"type": "string"}, "category": {"type": "string"}, "subCategory": {"type": "string"},
        "context": {"type": "object"}, "links": {"type": "object"},
        "errors": {"type": "array", "items": ref("ErrorDetail")}}},
    "StandardError": {"type": "object", "required": ["status", "category", "message"], "properties": {
        "status": {"type": "string"}, "category": {"type": "string"}, "message": {"type": "string"},
        "id": {"type": "string"}, "context": {"type": "object"}, "links": {"type": "object"},
        "errors": {"type": "array", "items": ref("ErrorDetail")}}},
    "Family": {"type": "object", "required": ["correlationUuid", "groups"], "properties": {
        "correlationUuid": {"type": "string"}, "name": {"type": "string", "nullable": True},
        "goalType": {"type": "string", "nullable": True}, "milestone": {"type": "string", "nullable": True},
        "groups": {"type": "array", "items": {"type": "object", "required": ["groupId", "slices"], "properties": {
            "groupId": {"type": "string"}, "assignee": {"type": "object", "additionalProperties": {"type": "string"}},
            "slices": {"type": "array", "items": ref("SimplePublicObject")}}}}}},
    "FamilyArchived": {"type": "object", "required": ["correlationUuid", "archived"], "properties": {
        "correlationUuid": {"type": "string"}, "archived": {"type": "integer"}}},
    "OptionInput": {"type": "object", "required": ["label", "value"], "properties": {
        "label": {"type": "string"}, "value": {"type": "string"}, "description": {"type": "string"},
        "displayOrder": {"type": "integer"}, "hidden": {"type": "boolean"}}},
    "PropertyModificationMetadata": {"type": "object", "required": ["archivable", "readOnlyDefinition", "readOnlyValue"], "properties": {
        "archivable": {"type": "boolean"}, "readOnlyDefinition": {"type": "boolean"}, "readOnlyValue": {"type": "boolean"},
        "readOnlyOptions": {"type": "boolean"}}},
    "Property": {"type": "object", "required": ["name", "label", "type", "fieldType", "groupName", "description", "options"], "properties": {
        "name": {"type": "string"}, "label": {"type": "string"},
        "type": {"type": "string", "enum": ["string", "number", "date", "datetime", "enumeration", "bool"]},
        "fieldType": {"type": "string"}, "groupName": {"type": "string"}, "description": {"type": "string"},
        "options": {"type": "array", "items": ref("OptionInput")}, "displayOrder": {"type": "integer"},
        "hidden": {"type": "boolean"}, "hubspotDefined": {"type": "boolean"}, "calculated": {"type": "boolean"},
        "externalOptions": {"type": "boolean"}, "hasUniqueValue": {"type": "boolean"}, "formField": {"type": "boolean"},
        "archived": {"type": "boolean"}, "archivedAt": TS, "createdAt": TS, "updatedAt": TS,
        "modificationMetadata": ref("PropertyModificationMetadata")}},
    "PropertyCreate": {"type": "object", "required": ["name", "label", "type", "fieldType", "groupName"], "properties": {
        "name": {"type": "string", "maxLength": 100, "pattern": "^[a-z][a-z0-9_]*$"}, "label": {"type": "string", "maxLength": 255},
        "type": {"type": "string", "enum": ["string", "number", "date", "datetime", "enumeration", "bool"]},
        "fieldType": {"type": "string", "enum": ["textarea", "text", "date", "file", "number", "select", "radio", "checkbox",
                                                   "booleancheckbox", "calculation_equation", "html", "phonenumber"]},
        "groupName": {"type": "string"}, "description": {"type": "string"},
        "options": {"type": "array", "items": ref("OptionInput")}, "displayOrder": {"type": "integer"},
        "hasUniqueValue": {"type": "boolean"}, "hidden": {"type": "boolean"}, "formField": {"type": "boolean"}}},
    "PropertyUpdate": {"type": "object", "properties": {
        "label": {"type": "string"}, "type": {"type": "string"}, "fieldType": {"type": "string"},
        "groupName": {"type": "string"}, "description": {"type": "string"},
        "options": {"type": "array", "items": ref("OptionInput")}, "displayOrder": {"type": "integer"},
        "hidden": {"type": "boolean"}, "formField": {"type": "boolean"}}},
    "CollectionResponseProperty": {"type": "object", "required": ["results"], "properties": {
        "results": {"type": "array", "items": ref("Property")}}},
    "PropertyName": {"type": "object", "required": ["name"], "properties": {"name": {"type": "string"}}},
    "BatchInputPropertyCreate": {"type": "object", "required": ["inputs"], "properties": {
        "inputs": {"type": "array", "maxItems": 100, "items": ref("PropertyCreate")}}},
    "BatchReadInputPropertyName": {"type": "object", "required": ["inputs"], "properties": {
        "inputs": {"type": "array", "maxItems": 100, "items": ref("PropertyName")}, "archived": {"type": "boolean"}}},
    "BatchInputPropertyName": {"type": "object", "required": ["inputs"], "properties": {
        "inputs": {"type": "array", "maxItems": 100, "items": ref("PropertyName")}}},
    "BatchResponseProperty": batch("Property", True),
    "PropertyGroup": {"type": "object", "required": ["name", "label", "displayOrder", "archived"], "properties": {
        "name": {"type": "string"}, "label": {"type": "string"}, "displayOrder": {"type": "integer"}, "archived": {"type": "boolean"}}},
    "CollectionResponsePropertyGroup": {"type": "object", "required": ["results"], "properties": {
        "results": {"type": "array", "items": ref("PropertyGroup")}}},
    "Health": {"type": "object", "required": ["status"], "properties": {"status": {"type": "string", "enum": ["ok", "unavailable"]}}},
}

paths = {"/health": {"get": {"operationId": "health", "summary": "200 when the server and its database answer",
                              "security": [], "responses": {**ok(200, "Health"), **ok(503, "Health", "Database unavailable")}}},
         "/health/live": {"get": {"operationId": "live", "summary": "200 while the process serves HTTP; does not touch the database",
                                   "security": [], "responses": {**ok(200, "Health")}}}}
UUID = {"name": "uuid", "in": "path", "required": True, "schema": {"type": "string"},
        "description": "The family's hs_group_correlation_uuid."}
paths["/goalpost/v1/families/{uuid}"] = {"get": {
    "operationId": "readFamily", "summary": "A goal family with its groups and slices", "security": SEC(READ),
    "parameters": [UUID, {"name": "archived", "in": "query", "required": False, "schema": {"type": "boolean", "default": False},
                          "description": "true shows the family's archived slices."}],
    "responses": {**ok(200, "Family"), **errs(400, 401, 403, 404)}}}
paths["/goalpost/v1/families/{uuid}/archive"] = {"post": {
    "operationId": "archiveFamily", "summary": "Archive every live slice of a family in one transaction",
    "security": SEC(WRITE), "parameters": [UUID],
    "responses": {**ok(200, "FamilyArchived"), **errs(401, 403, 404)}}}
paths["/goalpost/v1/families/{uuid}/restore"] = {"post": {
    "operationId": "restoreFamily", "summary": "Restore every archived slice of a family; the family rules are checked again",
    "security": SEC(WRITE), "parameters": [UUID],
    "responses": {**ok(200, "Family"), **errs(400, 401, 403, 404)}}}
SREAD, SWRITE = "crm.schemas.goals.read", "crm.schemas.goals.write"
PNAME = {"name": "propertyName", "in": "path", "required": True, "schema": {"type": "string"}}
PARCH = {"name": "archived", "in": "query", "required": False, "schema": {"type": "boolean", "default": False},
         "description": "true lists the portal's archived custom properties."}

def property_paths(prefix, suffix):
    base = f"{prefix}/{TYPE}"
    return {
        base: {
            "get": {"operationId": "listProperties" + suffix, "summary": "Every property definition (built-in and custom)",
                    "security": SEC(SREAD), "parameters": [PARCH, arr_param("properties", "Only these names.")],
                    "responses": {**ok(200, "CollectionResponseProperty"), **errs(400, 401, 403)}},
            "post": {"operationId": "createProperty" + suffix,
                     "summary": "Create a custom property (name: lowercase letters, digits, _; not hs_; at most 10 unique-value properties)",
                     "security": SEC(SWRITE), "requestBody": body("PropertyCreate"),
                     "responses": {**ok(201, "Property", "Created"), **errs(400, 401, 403), "409": {"description": "Exists already, or stored values are not unique",
                                   "content": {"application/json": {"schema": ref("Error")}}}}},
        },
        f"{base}/batch/create": {"post": {
            "operationId": "batchCreateProperties" + suffix, "summary": "Create custom properties in one transaction",
            "security": SEC(SWRITE), "requestBody": body("BatchInputPropertyCreate"),
            "responses": {**ok(201, "BatchResponseProperty", "Created"), **errs(400, 401, 403)}}},
        f"{base}/batch/read": {"post": {
            "operationId": "batchReadProperties" + suffix, "summary": "Read property definitions by name",
            "security": SEC(SREAD), "requestBody": body("BatchReadInputPropertyName"),
            "responses": {**ok(200, "BatchResponseProperty"), **ok(207, "BatchResponseProperty", "Some names do not exist"), **errs(400, 401, 403)}}},
        f"{base}/batch/archive": {"post": {
            "operationId": "batchArchiveProperties" + suffix, "summary": "Archive custom properties in one transaction",
            "security": SEC(SWRITE), "requestBody": body("BatchInputPropertyName"),
            "responses": {**ok(204, None, "Archived"), **errs(400, 401, 403, 404)}}},
        f"{base}/groups": {"get": {
            "operationId": "listPropertyGroups" + suffix, "summary": "The property groups of the type",
            "security": SEC(SREAD), "responses": {**ok(200, "CollectionResponsePropertyGroup"), **errs(401, 403)}}},
        f"{base}/{{propertyName}}": {
            "get": {"operationId": "readProperty" + suffix, "summary": "One property definition", "security": SEC(SREAD),
                    "parameters": [PNAME, PARCH], "responses": {**ok(200, "Property"), **errs(401, 403, 404)}},
            "patch": {"operationId": "updateProperty" + suffix, "summary": "Change a custom property (HubSpot-defined ones are read-only)",
                      "security": SEC(SWRITE), "parameters": [PNAME], "requestBody": body("PropertyUpdate"),
                      "responses": {**ok(200, "Property"), **errs(400, 401, 403, 404)}},
            "delete": {"operationId": "archiveProperty" + suffix, "summary": "Archive a custom property; values and history stay",
                       "security": SEC(SWRITE), "parameters": [PNAME], "responses": {**ok(204, None, "Archived"), **errs(400, 401, 403, 404)}},
        },
    }

paths.update(property_paths("/crm/v3/properties", ""))
paths.update(property_paths("/crm/properties/2026-03", "V202603"))
paths.update(object_paths("/crm/v3/objects", ""))
paths.update(object_paths("/crm/objects/2026-03", "V202603"))

spec = {
    "openapi": "3.0.3",
    "info": {"title": "goalpost", "version": "0.1.0",
             "description": "Self-hosted CRM store for sales goals: HubSpot CRM v3 goal_targets, wire-compatible. "
                            "Every route served is listed here; tests/it/openapi.rs keeps this file and the route table in step. "
                            "Generated by scripts/openapi_gen.py."},
    "servers": [{"url": "http://127.0.0.1:8080"}],
    "security": [{"bearer": []}],
    "paths": paths,
    "components": {"securitySchemes": {"bearer": {"type": "http", "scheme": "bearer",
                                                  "description": "A goalpost token (goalpost token create)."}},
                   "schemas": SCHEMAS},
}

def scalar(v):
    if isinstance(v, bool): return "true" if v else "false"
    if v is None: return "null"
    if isinstance(v, (int, float)): return str(v)
    return json.dumps(v)  # a JSON string is a valid YAML scalar

def emit(v, indent=0):
    pad = "  " * indent
    out = []
    if isinstance(v, dict):
        for k, x in v.items():
            key = json.dumps(k) if k.isdigit() or not k.replace("_", "").replace("-", "").isalnum() else k
            if isinstance(x, (dict, list)) and x:
                out.append(f"{pad}{key}:")
                out.extend(emit(x, indent + 1))
            else:
                out.append(f"{pad}{key}: {scalar(x) if not isinstance(x, (dict, list)) else ('{}' if isinstance(x, dict) else '[]')}")
    else:
        for x in v:
            if isinstance(x, (dict, list)) and x:
                sub = emit(x, indent + 1)
                out.append(f"{pad}- {sub[0].strip()}")
                out.extend(sub[1:])
            else:
                out.append(f"{pad}- {scalar(x) if not isinstance(x, (dict, list)) else '{}'}")
    return out

(ROOT / "openapi.yaml").write_text("# Generated by scripts/openapi_gen.py — edit that, then re-run it.\n"
                                   + "\n".join(emit(spec)) + "\n")
