#!/usr/bin/env python3
"""Writes openapi.yaml. The HubSpot object routes are described once here and emitted under
every published version prefix; edit this file and re-run it (python3 scripts/openapi_gen.py)."""
import json, pathlib

ROOT = pathlib.Path(__file__).resolve().parent.parent
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
ID = {"name": "objectId", "in": "path", "required": True, "schema": {"type": "string"}}
PROPS = arr_param("properties", "Properties to return besides hs_createdate, hs_lastmodifieddate and hs_object_id; unknown names are ignored.")
HIST = arr_param("propertiesWithHistory", "Properties to return with their history, newest first.")
ASSOC = arr_param("associations", "Object types (names or type ids) whose associated ids to add under `associations`; an unknown type is a 400.")
ARCH = {"name": "archived", "in": "query", "required": False, "schema": {"type": "boolean", "default": False},
        "description": "true returns only archived objects."}
IDPROP = {"name": "idProperty", "in": "query", "required": False, "schema": {"type": "string"},
          "description": "The property the path id is a value of; hs_object_id (the default) is the record id."}
SEC = lambda s: [{"bearer": [s]}]

def created(v, schema):
    """A single create: 201 with the entity, or (2025-09) 200 with CreatedResponse…."""
    if v["envelope"]:
        return ok(200, "CreatedResponse" + schema, "Created (entity in `entity`, its path in `location` and the Location header)")
    return ok(201, schema, "Created")

def object_paths(prefix, suffix, t, v):
    base = f"{prefix}/{t['name']}"
    READ, WRITE = t["read"], t["write"]
    common = errs(400, 401, 403, 413)
    return {
        base: {
            "get": {"operationId": "list" + suffix, "summary": f"List {t['nouns']}", "security": SEC(READ),
                    "parameters": [{"name": "limit", "in": "query", "schema": {"type": "integer", "minimum": 1, "default": 10},
                                    "description": "Page size; values over 100 are read as 100."},
                                   {"name": "after", "in": "query", "schema": {"type": "string"},
                                    "description": "paging.next.after of the previous page."},
                                   PROPS, HIST, ASSOC, ARCH],
                    "responses": {**ok(200, "CollectionResponseSimplePublicObjectWithAssociationsForwardPaging"), **errs(400, 401, 403)}},
            "post": {"operationId": "create" + suffix, "summary": f"Create a {t['noun']}", "security": SEC(WRITE),
                     "requestBody": body("SimplePublicObjectInputForCreate"),
                     "responses": {**created(v, "SimplePublicObject"), **common}},
        },
        f"{base}/{{objectId}}": {
            "get": {"operationId": "read" + suffix, "summary": f"Read a {t['noun']}", "security": SEC(READ),
                    "parameters": [ID, PROPS, HIST, ASSOC, ARCH, IDPROP],
                    "responses": {**ok(200, "SimplePublicObjectWithAssociations"), **errs(400, 401, 403, 404)}},
            "patch": {"operationId": "update" + suffix, "summary": f"Update a {t['noun']}; an empty string clears a value",
                      "security": SEC(WRITE), "parameters": [ID, IDPROP], "requestBody": body("SimplePublicObjectInput"),
                      "responses": {**ok(200, "SimplePublicObject"), **errs(400, 401, 403, 404, 413)}},
            "delete": {"operationId": "archive" + suffix, "summary": f"Archive a {t['noun']} (idempotent)",
                       "security": SEC(WRITE), "parameters": [ID],
                       "responses": {**ok(204, None, "Archived"), **errs(401, 403, 404)}},
        },
        f"{base}/batch/read": {"post": {
            "operationId": "batchRead" + suffix, "summary": f"Read a batch of {t['nouns']} (at most 100; 50 with history)",
            "security": SEC(READ), "parameters": [ARCH], "requestBody": body("BatchReadInputSimplePublicObjectId"),
            "responses": {**ok(200, "BatchResponseSimplePublicObject"),
                          **ok(207, "BatchResponseSimplePublicObjectWithErrors", "Some ids were not found"), **common}}},
        f"{base}/batch/create": {"post": {
            "operationId": "batchCreate" + suffix, "summary": f"Create a batch of {t['nouns']} in one transaction",
            "security": SEC(WRITE), "requestBody": body("BatchInputSimplePublicObjectBatchInputForCreate"),
            "responses": {**ok(v["batch_create"], "BatchResponseSimplePublicObject", "Created"),
                          **ok(207, "BatchResponseSimplePublicObjectWithErrors", "Every input had objectWriteTraceId; the valid ones were written"),
                          **common}}},
        f"{base}/batch/update": {"post": {
            "operationId": "batchUpdate" + suffix, "summary": f"Update a batch of {t['nouns']} in one transaction",
            "security": SEC(WRITE), "requestBody": body("BatchInputSimplePublicObjectBatchInput"),
            "responses": {**ok(200, "BatchResponseSimplePublicObject"),
                          **ok(207, "BatchResponseSimplePublicObjectWithErrors", "Every input had objectWriteTraceId; the valid ones were written"),
                          **errs(400, 401, 403, 404, 413)}}},
        f"{base}/batch/upsert": {"post": {
            "operationId": "batchUpsert" + suffix, "summary": f"Create or update a batch of {t['nouns']} by idProperty",
            "security": SEC(WRITE), "requestBody": body("BatchInputSimplePublicObjectBatchInputUpsert"),
            "responses": {**ok(200, "BatchResponseSimplePublicUpsertObject"),
                          **ok(207, "BatchResponseSimplePublicUpsertObjectWithErrors", "Every input had objectWriteTraceId; the valid ones were written"),
                          **errs(400, 401, 403, 404, 413)}}},
        f"{base}/search": {"post": {
            "operationId": "search" + suffix,
            "summary": f"Search {t['nouns']}: filterGroups OR-ed, filters AND-ed, run in SQL; strongly consistent, keyset paging, exact total",
            "security": SEC(READ), "requestBody": body("PublicObjectSearchRequest"),
            "responses": {**ok(200, "CollectionResponseWithTotalSimplePublicObjectForwardPaging"), **common}}},
        f"{base}/batch/archive": {"post": {
            "operationId": "batchArchive" + suffix, "summary": f"Archive a batch of {t['nouns']} in one transaction",
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
    req = ["status", "results", "requestedAt", "startedAt", "completedAt", "links"]
    if with_errors:
        p["numErrors"] = {"type": "integer"}
        p["errors"] = {"type": "array", "items": ref("StandardError")}
    return {"type": "object", "required": req, "properties": p}
WIRE_ID = {"oneOf": [{"type": "string"}, {"type": "integer"}]}
ASSOC_IN = {"type": "array", "items": ref("PublicAssociationsForObject"), "nullable": True,
            "description": "Associations written with a create, in its transaction; each to.id must be a live object. Ignored by updates."}

# A filter value: text, or a JSON number or boolean read as its text.
SCALAR = [{"type": "string"}, {"type": "number"}, {"type": "boolean"}]

SCHEMAS = {
    "SimplePublicObject": spo(),
    "SimplePublicObjectWithAssociations": spo({"associations": {"type": "object", "description": "Per asked type that has any.",
        "additionalProperties": ref("CollectionResponseAssociatedId")}}),
    "CollectionResponseAssociatedId": {"type": "object", "required": ["results"], "properties": {
        "results": {"type": "array", "items": ref("AssociatedId")}}},
    "AssociatedId": {"type": "object", "required": ["id", "type"], "properties": {
        "id": {"type": "string"}, "type": {"type": "string", "description": "from_to_to for the default type, the label's name otherwise."}}},
    "PublicAssociationsForObject": {"type": "object", "required": ["to", "types"], "additionalProperties": False, "properties": {
        "to": ref("PublicObjectId"), "types": {"type": "array", "items": ref("AssociationSpec")}}},
    "PublicObjectId": {"type": "object", "required": ["id"], "properties": {"id": {"oneOf": [{"type": "string"}, {"type": "integer"}]}}},
    "AssociationSpec": {"type": "object", "required": ["associationCategory", "associationTypeId"], "additionalProperties": False, "properties": {
        "associationCategory": {"type": "string", "enum": ["HUBSPOT_DEFINED", "USER_DEFINED", "INTEGRATOR_DEFINED", "WORK"]},
        "associationTypeId": {"type": "integer", "format": "int32"}}},
    "AssociationSpecWithLabel": {"type": "object", "required": ["category", "typeId", "label"], "properties": {
        "category": {"type": "string", "enum": ["HUBSPOT_DEFINED", "USER_DEFINED"]}, "typeId": {"type": "integer"},
        "label": {"type": "string", "nullable": True}}},
    "MultiAssociatedObjectWithLabel": {"type": "object", "required": ["toObjectId", "associationTypes"], "properties": {
        "toObjectId": {"type": "string"}, "associationTypes": {"type": "array", "items": ref("AssociationSpecWithLabel")}}},
    "CollectionResponseMultiAssociatedObjectWithLabelForwardPaging": {"type": "object", "required": ["results"], "properties": {
        "results": {"type": "array", "items": ref("MultiAssociatedObjectWithLabel")}, "paging": ref("ForwardPaging")}},
    "LabelsBetweenObjectPair": {"type": "object", "required": ["fromObjectTypeId", "fromObjectId", "toObjectTypeId", "toObjectId", "labels"], "properties": {
        "fromObjectTypeId": {"type": "string"}, "fromObjectId": {"type": "string"}, "toObjectTypeId": {"type": "string"},
        "toObjectId": {"type": "string"}, "labels": {"type": "array", "items": {"type": "string"}}}},
    "PublicDefaultAssociation": {"type": "object", "required": ["from", "to", "associationSpec"], "properties": {
        "from": ref("PublicObjectId"), "to": ref("PublicObjectId"), "associationSpec": ref("AssociationSpec")}},
    "PublicAssociationMultiPost": {"type": "object", "required": ["from", "to", "types"], "additionalProperties": False, "properties": {
        "from": ref("PublicObjectId"), "to": ref("PublicObjectId"), "types": {"type": "array", "items": ref("AssociationSpec")}}},
    "BatchInputPublicAssociationMultiPost": {"type": "object", "required": ["inputs"], "properties": {
        "inputs": {"type": "array", "maxItems": 2000, "items": ref("PublicAssociationMultiPost")}}},
    "BatchInputPublicDefaultAssociationMultiPost": {"type": "object", "required": ["inputs"], "properties": {
        "inputs": {"type": "array", "maxItems": 2000, "items": {"type": "object", "required": ["from", "to"], "additionalProperties": False,
                   "properties": {"from": ref("PublicObjectId"), "to": ref("PublicObjectId")}}}}},
    "BatchInputPublicFetchAssociationsBatchRequest": {"type": "object", "required": ["inputs"], "properties": {
        "inputs": {"type": "array", "maxItems": 1000, "items": {"type": "object", "required": ["id"], "additionalProperties": False,
                   "properties": {"id": {"oneOf": [{"type": "string"}, {"type": "integer"}]}, "after": {"type": "string", "pattern": "^[0-9]*$"}}}}}},
    "BatchInputPublicAssociationMultiArchive": {"type": "object", "required": ["inputs"], "properties": {
        "inputs": {"type": "array", "maxItems": 2000, "items": {"type": "object", "required": ["from", "to"], "additionalProperties": False,
                   "properties": {"from": ref("PublicObjectId"), "to": {"type": "array", "items": ref("PublicObjectId")}}}}}},
    "PublicAssociationMultiWithLabel": {"type": "object", "required": ["from", "to"], "properties": {
        "from": ref("PublicObjectId"), "to": {"type": "array", "items": ref("MultiAssociatedObjectWithLabel")}}},
    "CollectionResponseAssociationSpecWithLabelNoPaging": {"type": "object", "required": ["results"], "properties": {
        "results": {"type": "array", "items": ref("AssociationSpecWithLabel")}}},
    "PublicAssociationDefinitionCreateRequest": {"type": "object", "required": ["name", "label"], "properties": {
        "name": {"type": "string", "minLength": 1, "maxLength": 100, "pattern": "^[A-Za-z0-9_-]+$"},
        "label": {"type": "string", "minLength": 1, "maxLength": 255, "pattern": "\\S"},
        "inverseLabel": {"type": "string", "minLength": 1, "maxLength": 255, "pattern": "\\S"}}},
    "PublicAssociationDefinitionUpdateRequest": {"type": "object", "required": ["associationTypeId", "label"], "additionalProperties": False, "properties": {
        "associationTypeId": {"type": "integer", "format": "int32"},
        "label": {"type": "string", "minLength": 1, "maxLength": 255, "pattern": "\\S"},
        "inverseLabel": {"type": "string", "minLength": 1, "maxLength": 255, "pattern": "\\S"}}},
    "SimplePublicUpsertObject": spo({"new": {"type": "boolean"}}, ["new"]),
    "ValueWithTimestamp": VWT,
    "SimplePublicObjectInputForCreate": {"type": "object", "required": ["properties"], "properties": {
        "properties": IN_MAP, "associations": ASSOC_IN, "objectWriteTraceId": {"type": "string", "nullable": True}}},
    "SimplePublicObjectInput": {"type": "object", "required": ["properties"], "properties": {
        "properties": IN_MAP, "objectWriteTraceId": {"type": "string", "nullable": True}}},
    "SimplePublicObjectBatchInputForCreate": {"type": "object", "required": ["properties"], "properties": {
        "properties": IN_MAP, "associations": ASSOC_IN, "objectWriteTraceId": {"type": "string", "nullable": True}}},
    "SimplePublicObjectBatchInput": {"type": "object", "required": ["id", "properties"], "properties": {
        "id": WIRE_ID, "properties": IN_MAP, "idProperty": {"type": "string", "nullable": True}, "objectWriteTraceId": {"type": "string", "nullable": True}}},
    "SimplePublicObjectId": {"type": "object", "required": ["id"], "properties": {"id": WIRE_ID}},
    "BatchReadInputSimplePublicObjectId": {"type": "object", "required": ["inputs"], "properties": {
        "inputs": {"type": "array", "items": ref("SimplePublicObjectId")},
        "properties": {"type": "array", "items": {"type": "string"}, "nullable": True},
        "propertiesWithHistory": {"type": "array", "items": {"type": "string"}, "nullable": True},
        "idProperty": {"type": "string", "nullable": True}}},
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
        "value": {"oneOf": SCALAR, "nullable": True, "description": "Numbers compare numerically, dates and datetimes as instants (epoch ms or ISO 8601), strings case-insensitively, enumerations exactly."},
        "highValue": {"oneOf": SCALAR, "nullable": True, "description": "Upper bound of BETWEEN (inclusive)."},
        "values": {"type": "array", "items": {"oneOf": SCALAR}, "nullable": True}}},
    "FilterGroup": {"type": "object", "required": ["filters"], "properties": {
        "filters": {"type": "array", "maxItems": 10, "items": ref("Filter"), "nullable": True}}},
    "PublicObjectSearchRequest": {"type": "object", "properties": {
        "filterGroups": {"type": "array", "maxItems": 6, "items": ref("FilterGroup"), "nullable": True,
                         "description": "At most 6 groups, 10 filters a group, 25 filters in all."},
        "sorts": {"type": "array", "nullable": True, "items": {"oneOf": [
            {"type": "string", "description": "A property name, with a leading - for descending."},
            {"type": "object", "required": ["propertyName"], "properties": {
                "propertyName": {"type": "string"}, "direction": {"type": "string", "enum": ["ASCENDING", "DESCENDING"]}}}]},
            "description": "The first sort applies; default order is by creation."},
        "query": {"type": "string", "maxLength": 3000, "nullable": True, "description": "Every word must prefix-match a word of hs_goal_name."},
        "properties": {"type": "array", "items": {"type": "string"}, "nullable": True},
        "limit": {"type": "integer", "minimum": 1, "maximum": 200, "default": 10, "nullable": True},
        "after": {"oneOf": [{"type": "string"}, {"type": "integer", "minimum": 0}], "nullable": True,
                  "description": "paging.next.after of the previous page (a number is read as an offset)."}}},
    "CollectionResponseWithTotalSimplePublicObjectForwardPaging": {"type": "object", "required": ["total", "results"], "properties": {
        "total": {"type": "integer"}, "results": {"type": "array", "items": ref("SimplePublicObject")}, "paging": ref("ForwardPaging")}},
    "ForwardPaging": {"type": "object", "required": ["next"], "properties": {"next": {"type": "object", "required": ["after", "link"], "properties": {
        "after": {"type": "string"}, "link": {"type": "string"}}}}},
    "ErrorDetail": {"type": "object", "required": ["message"], "properties": {
        "message": {"type": "string"}, "code": {"type": "string"}, "in": {"type": "string"},
        "subCategory": {"type": "string"}, "context": {"type": "object"}}},
    "Error": {"type": "object", "required": ["status", "message", "correlationId", "category"], "properties": {
        "status": {"type": "string", "enum": ["error"]}, "message": {"type": "string"},
        "correlationId": {"type": "string"}, "category": {"type": "string"}, "subCategory": {"type": "string"},
        "context": {"type": "object"}, "links": {"type": "object"},
        "errors": {"type": "array", "items": ref("ErrorDetail")}}},
    "StandardError": {"type": "object", "required": ["status", "category", "message", "context", "errors", "links"], "properties": {
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
    "PropertyGroupCreate": {"type": "object", "required": ["name", "label"], "additionalProperties": False, "properties": {
        "name": {"type": "string", "minLength": 1, "maxLength": 100, "pattern": "^(?!hs_)[a-z][a-z0-9_]*$"},
        "label": {"type": "string", "minLength": 1, "maxLength": 255}, "displayOrder": {"type": "integer", "format": "int32", "nullable": True}}},
    "PropertyGroupUpdate": {"type": "object", "additionalProperties": False, "properties": {
        "label": {"type": "string", "minLength": 1, "maxLength": 255, "nullable": True},
        "displayOrder": {"type": "integer", "format": "int32", "nullable": True}}},
    "Health": {"type": "object", "required": ["status"], "properties": {"status": {"type": "string", "enum": ["ok", "unavailable"]},
        "detail": {"type": "object", "description": "This instance, whether it runs the background jobs, and each read replica's lag",
                   "properties": {"instance": {"type": "string"}, "jobs": {"type": "string", "enum": ["leader", "follower", "not started"]},
                                  "replicas": {"type": "array", "items": {"type": "object", "properties": {
                                      "name": {"type": "string"}, "lagMs": {"type": "integer"}, "serving": {"type": "boolean"}}}}}}}},
}

paths = {"/health": {"get": {"operationId": "health", "summary": "200 when the server and its database answer",
                              "security": [], "responses": {**ok(200, "Health"), **ok(503, "Health", "Database unavailable")}}},
         "/health/live": {"get": {"operationId": "live", "summary": "200 while the process serves HTTP; does not touch the database",
                                   "security": [], "responses": {**ok(200, "Health")}}},
         "/metrics": {"get": {"operationId": "metrics", "summary": "Prometheus metrics of this instance, in the text exposition format",
                              "security": [{"bearer": ["goalpost.metrics.read"]}],
                              "responses": {"200": {"description": "OK", "content": {"text/plain": {"schema": {"type": "string"}}}},
                                            **errs(401, 403)}}}}
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
SUMS = {"type": "object", "properties": {
    "target": {"type": "number"}, "value": {"type": "number"}, "percent": {"type": "number"},
    "expectedToDate": {"type": "number"},
    "pace": {"type": "string", "enum": ["not_started", "on_track", "behind", "at_risk", "ended"]}}}
SCHEMAS["FamilyAttainment"] = {"type": "object", "required": ["correlationUuid", "at", "totals", "groups", "teams"], "properties": {
    "correlationUuid": {"type": "string"}, "name": {"type": "string", "nullable": True},
    "milestone": {"type": "string", "nullable": True}, "at": {"type": "string", "format": "date-time"},
    "totals": SUMS,
    "groups": {"type": "array", "items": {"type": "object", "properties": {
        "groupId": {"type": "string"},
        "assignee": {"type": "object", "properties": {"kind": {"type": "string", "enum": ["owner", "team", "everyone"]},
                                                      "id": {"type": "string", "nullable": True}}},
        "totals": SUMS,
        "slices": {"type": "array", "items": {"type": "object", "properties": {
            "id": {"type": "string"}, "start": {"type": "string"}, "end": {"type": "string"},
            "target": {"type": "number"}, "value": {"type": "number", "nullable": True},
            "percent": {"type": "number", "nullable": True}, "status": {"type": "string", "nullable": True},
            "outcome": {"type": "string", "nullable": True}, "manual": {"type": "boolean"},
            "elapsed": {"type": "number"}, "expectedToDate": {"type": "number"},
            "pace": {"type": "string", "enum": ["not_started", "on_track", "behind", "at_risk", "ended"]}}}}}}},
    "teams": {"type": "array", "items": {"type": "object", "properties": {
        "groupId": {"type": "string"}, "teamId": {"type": "string"}, "targetMismatch": {"type": "boolean"},
        "members": {"type": "array", "items": {"type": "object", "properties": {
            "groupId": {"type": "string"}, "ownerId": {"type": "string"}}}},
        "periods": {"type": "array", "items": {"type": "object", "properties": {
            "start": {"type": "string"}, "teamTarget": {"type": "number"}, "membersTarget": {"type": "number"},
            "teamValue": {"type": "number"}, "membersValue": {"type": "number"},
            "targetMismatch": {"type": "boolean"}}}}}}}}}
SCHEMAS["FamilyRecalculated"] = {"type": "object", "required": ["correlationUuid", "slices", "recalculated", "changed"], "properties": {
    "correlationUuid": {"type": "string"}, "slices": {"type": "integer"},
    "recalculated": {"type": "integer", "description": "Slices with a KPI definition, each computed again"},
    "changed": {"type": "integer"}}}
paths["/goalpost/v1/families/{uuid}/attainment"] = {"get": {
    "operationId": "readFamilyAttainment",
    "summary": "A family's attainment: per slice, group and family the value, expected value to date and pace; team roll-ups",
    "security": SEC(READ), "parameters": [UUID],
    "responses": {**ok(200, "FamilyAttainment"), **errs(401, 403, 404)}}}
paths["/goalpost/v1/families/{uuid}/recalculate"] = {"post": {
    "operationId": "recalculateFamily",
    "summary": "Compute every slice's attainment again from its KPI definition, in one transaction",
    "security": SEC(WRITE), "parameters": [UUID],
    "responses": {**ok(200, "FamilyRecalculated"), **errs(401, 403, 404)}}}
# The goals dashboard: HTML pages, signed in by a session cookie (an API token, HttpOnly,
# SameSite=Strict); they answer without a session by redirecting to the sign-in page.
def html(*codes):
    descr = {200: "The page", 303: "Redirect (to the sign-in page without a session; after a form post)",
             400: "The page with what was wrong", 401: "The sign-in page: the token is not valid",
             403: "Refused: a cross-site post, a missing CSRF value or a token without the scope",
             404: "No such family in this portal", 503: "Database unavailable"}
    return {str(c): ({"description": descr[c], "content": {"text/html": {"schema": {"type": "string"}}}} if c != 303
                     else {"description": descr[c], "headers": {"Location": {"schema": {"type": "string"}}}})
            for c in codes}
def qp(name, desc): return {"name": name, "in": "query", "required": False, "schema": {"type": "string"}, "description": desc}
FORM = lambda props, req: {"required": False, "content": {"application/x-www-form-urlencoded": {"schema": {
    "type": "object", "required": req, "properties": {k: {"type": "string"} for k in props}}}}}
# Form bodies are optional on the wire: without a session a post is redirected to sign in first.
DASH = {"security": [], "tags": ["dashboard"]}
paths["/dashboard"] = {"get": {**DASH, "operationId": "dashboardFamilies",
    "summary": "Goal families, filterable, with integrity problems flagged",
    "parameters": [qp("owner", "Owner id"), qp("team", "Team id"), qp("milestone", "weekly, monthly, quarterly or yearly"),
                   qp("period", "2027, 2027-Q1 or 2027-03 (in the portal's time zone)"),
                   qp("status", "pending, in_progress, achieved, exceeded or missed"), qp("after", "The page cursor")],
    "responses": html(200, 303, 400, 403, 503)}}
paths["/dashboard/login"] = {
    "get": {**DASH, "operationId": "dashboardLoginForm", "summary": "The sign-in page", "responses": html(200)},
    "post": {**DASH, "operationId": "dashboardLogin", "summary": "Sign in with an API token (sets the session cookie)",
             "requestBody": FORM(["token"], []), "responses": html(303, 401, 403, 503)}}
paths["/dashboard/logout"] = {"post": {**DASH, "operationId": "dashboardLogout", "summary": "Sign out",
    "requestBody": FORM(["csrf"], []), "responses": html(303, 403, 503)}}
paths["/dashboard/families/{uuid}"] = {"get": {**DASH, "operationId": "dashboardFamily",
    "summary": "One family as a grid of targets, progress, status and pace, with team roll-ups",
    "parameters": [UUID, qp("saved", "Shows that a target was saved")], "responses": html(200, 303, 403, 404, 503)}}
paths["/dashboard/families/{uuid}/slices/{id}"] = {"post": {**DASH, "operationId": "dashboardEditTarget",
    "summary": "Set one slice's target (hs_target_amount) through the API's rules",
    "parameters": [UUID, {"name": "id", "in": "path", "required": True, "schema": {"type": "string"}}],
    "requestBody": FORM(["target", "csrf"], []), "responses": html(303, 400, 403, 404, 503)}}
paths["/dashboard/leaderboard"] = {"get": {**DASH, "operationId": "dashboardLeaderboard",
    "summary": "Attainment per owner and team over a period, with its pacing",
    "parameters": [qp("period", "2027, 2027-Q1 or 2027-03; default the current month")],
    "responses": html(200, 303, 400, 403, 503)}}
# The test control plane: served only with --test-mode (otherwise every route is a 404).
TEST = [{"bearer": ["goalpost.test"]}]
SCHEMAS["TestPortalInput"] = {"type": "object", "additionalProperties": False, "properties": {
    "scopes": {"type": "array", "items": {"type": "string"},
               "description": "The token's scopes (default: every API scope but goalpost.test)"},
    "name": {"type": "string", "maxLength": 200}, "timeZone": {"type": "string", "description": "IANA name"},
    "validationMode": {"type": "string", "enum": ["strict", "lenient"]}}}
SCHEMAS["TestPortal"] = {"type": "object", "required": ["portalId", "token", "scopes"], "properties": {
    "portalId": {"type": "string"}, "token": {"type": "string"},
    "scopes": {"type": "array", "items": {"type": "string"}}}}
paths["/goalpost/v1/test/portals"] = {"post": {
    "operationId": "createTestPortal", "tags": ["test"],
    "summary": "Test mode only: a fresh portal and a token for it (parallel tests never share data)",
    "security": TEST, "requestBody": {"required": True, "content": {"application/json": {"schema": ref("TestPortalInput")}}},
    "responses": {**ok(201, "TestPortal", "Created"), **errs(400, 401, 403, 404)}}}
paths["/goalpost/v1/test/portals/{portalId}"] = {"delete": {
    "operationId": "deleteTestPortal", "tags": ["test"],
    "summary": "Test mode only: delete a portal and everything in it (again: purge again; not the default or the caller's own)",
    "security": TEST, "parameters": [{"name": "portalId", "in": "path", "required": True, "schema": {"type": "string"}}],
    "responses": {"204": {"description": "Deleted"}, **errs(400, 401, 403, 404)}}}
PID = {"name": "portalId", "in": "path", "required": True, "schema": {"type": "string"}}
SNAME = {"name": "name", "in": "path", "required": True, "schema": {"type": "string", "pattern": "^[A-Za-z0-9._-]{1,100}$"}}
OBJ = {"type": "object", "additionalProperties": True}
SCHEMAS["TestClock"] = {"type": "object", "required": ["now", "frozen", "offsetMs"], "properties": {
    "now": {"type": "string", "format": "date-time"}, "frozen": {"type": "boolean"}, "offsetMs": {"type": "integer"}}}
SCHEMAS["TestClockInput"] = {"type": "object", "additionalProperties": False, "required": ["now"], "properties": {
    "now": {"description": "ISO 8601 instant or epoch milliseconds", "oneOf": [{"type": "string"}, {"type": "integer"}]},
    "frozen": {"type": "boolean", "default": True}}}
SCHEMAS["TestClockAdvance"] = {"type": "object", "additionalProperties": False, "properties": {
    k: {"type": "integer", "minimum": 0} for k in ["milliseconds", "seconds", "minutes", "hours", "days"]}}
SCHEMAS["TestFaultInput"] = {"type": "object", "additionalProperties": False, "required": ["kind"], "properties": {
    "kind": {"type": "string", "enum": ["rateLimit", "error", "latency", "searchLag", "searchCap"]},
    "token": {"type": "string", "description": "Only requests made with this token of the portal"},
    "path": {"type": "string", "description": "Request path glob (* matches anything)"}, "method": {"type": "string"},
    "status": {"type": "integer", "minimum": 400, "maximum": 599}, "body": {},
    "every": {"type": "integer", "minimum": 1}, "probability": {"type": "number", "minimum": 0, "maximum": 1},
    "seed": {"type": "integer", "minimum": 0}, "ms": {"type": "integer", "minimum": 0, "maximum": 600000},
    "max": {"type": "integer", "minimum": 1}, "windowMs": {"type": "integer", "minimum": 1, "maximum": 86400000},
    "limit": {"type": "integer", "minimum": 1}}}
SCHEMAS["TestFault"] = {"type": "object", "required": ["id", "kind", "matched", "fired"], "additionalProperties": True,
    "properties": {"id": {"type": "string"}, "kind": {"type": "string"}, "tokenId": {"type": "string"},
                   "matched": {"type": "integer"}, "fired": {"type": "integer"}}}
SCHEMAS["TestList"] = {"type": "object", "required": ["results"], "properties": {"results": {"type": "array", "items": OBJ}}}
SCHEMAS["TestSnapshot"] = {"type": "object", "required": ["name", "createdAt", "objects"], "properties": {
    "name": {"type": "string"}, "createdAt": {"type": "string", "format": "date-time"}, "objects": {"type": "integer"}}}
SCHEMAS["TestSeeded"] = {"type": "object", "required": ["lines", "results"], "properties": {
    "lines": {"type": "integer"}, "results": {"type": "array", "items": OBJ}}}
def tp(op, summary, responses, params=(PID,), body_schema=None, extra=None):
    o = {"operationId": op, "tags": ["test"], "summary": "Test mode only: " + summary, "security": TEST,
         "parameters": list(params), "responses": responses}
    if body_schema: o["requestBody"] = body(body_schema)
    if extra: o.update(extra)
    return o
NO = {"204": {"description": "Done"}}
T = "/goalpost/v1/test/portals/{portalId}"
paths[T + "/reset"] = {"post": tp("resetTestPortal", "remove the portal's data (keeps its tokens, settings, clock and snapshots)", {**NO, **errs(401, 403, 404)})}
paths[T + "/seed"] = {"post": tp("seedTestPortal", "load NDJSON of API requests ({method, path, body} per line), all or nothing",
    {**ok(200, "TestSeeded"), **errs(400, 401, 403, 404)},
    extra={"requestBody": {"required": True, "content": {"application/x-ndjson": {"schema": {"type": "string"}}}}})}
paths[T + "/snapshots"] = {"get": tp("listTestSnapshots", "the portal's snapshots", {**ok(200, "TestList"), **errs(401, 403, 404)})}
paths[T + "/snapshots/{name}"] = {
    "post": tp("takeTestSnapshot", "snapshot the portal's data under a name (replaces one of that name)",
               {**ok(201, "TestSnapshot", "Taken"), **errs(400, 401, 403, 404)}, (PID, SNAME)),
    "delete": tp("dropTestSnapshot", "drop a snapshot", {**NO, **errs(400, 401, 403, 404)}, (PID, SNAME))}
paths[T + "/snapshots/{name}/restore"] = {"post": tp("restoreTestSnapshot", "put the portal's data back as the snapshot holds it",
    {**NO, **errs(400, 401, 403, 404)}, (PID, SNAME))}
paths[T + "/clock"] = {
    "get": tp("getTestClock", "the portal's clock", {**ok(200, "TestClock"), **errs(401, 403, 404)}),
    "put": tp("setTestClock", "set the portal's now (frozen unless frozen is false)", {**ok(200, "TestClock"), **errs(400, 401, 403, 404)}, body_schema="TestClockInput"),
    "delete": tp("resetTestClock", "the portal's clock back to real time", {**ok(200, "TestClock"), **errs(401, 403, 404)})}
paths[T + "/clock/advance"] = {"post": tp("advanceTestClock", "move the portal's now forward", {**ok(200, "TestClock"), **errs(400, 401, 403, 404)}, body_schema="TestClockAdvance")}
paths[T + "/faults"] = {
    "get": tp("listTestFaults", "the portal's fault rules", {**ok(200, "TestList"), **errs(401, 403, 404)}),
    "post": tp("addTestFault", "add a fault rule (rate limit, error, latency, search lag, search cap)", {**ok(201, "TestFault", "Added"), **errs(400, 401, 403, 404)}, body_schema="TestFaultInput"),
    "delete": tp("clearTestFaults", "remove every fault rule", {**NO, **errs(401, 403, 404)})}
paths[T + "/faults/{faultId}"] = {"delete": tp("removeTestFault", "remove one fault rule", {**NO, **errs(401, 403, 404)},
    (PID, {"name": "faultId", "in": "path", "required": True, "schema": {"type": "string"}}))}
paths[T + "/requests"] = {
    "get": tp("listTestRequests", "the portal's last requests and responses, oldest first (tokens redacted)", {**ok(200, "TestList"), **errs(400, 401, 403, 404)},
              (PID, {"name": "limit", "in": "query", "required": False, "schema": {"type": "integer", "minimum": 1, "maximum": 200}})),
    "delete": tp("clearTestRequests", "forget the recorded requests", {**NO, **errs(401, 403, 404)})}
# HubSpot's Owners API v3 over the owners lookup.
SCHEMAS["PublicTeam"] = {"type": "object", "required": ["id", "name", "primary"], "properties": {
    "id": {"type": "string"}, "name": {"type": "string"}, "primary": {"type": "boolean"}}}
SCHEMAS["PublicOwner"] = {"type": "object", "required": ["id", "type", "createdAt", "updatedAt", "archived"], "properties": {
    "id": {"type": "string"}, "email": {"type": "string"}, "type": {"type": "string", "enum": ["PERSON", "QUEUE"]},
    "firstName": {"type": "string"}, "lastName": {"type": "string"},
    "userId": {"type": "integer", "nullable": True}, "userIdIncludingInactive": {"type": "integer", "nullable": True},
    "createdAt": {"type": "string", "format": "date-time"}, "updatedAt": {"type": "string", "format": "date-time"},
    "archived": {"type": "boolean"}, "teams": {"type": "array", "items": ref("PublicTeam")}}}
SCHEMAS["CollectionResponsePublicOwnerForwardPaging"] = {"type": "object", "required": ["results"], "properties": {
    "results": {"type": "array", "items": ref("PublicOwner")},
    "paging": {"type": "object", "properties": {"next": {"type": "object", "required": ["after"], "properties": {
        "after": {"type": "string"}, "link": {"type": "string"}}}}}}}
OWN = [{"bearer": ["crm.objects.owners.read"]}]
ARCH = {"name": "archived", "in": "query", "required": False, "schema": {"type": "boolean", "default": False},
        "description": "true: archived owners only"}
for base, tag in [("/crm/v3/owners", "v3"), ("/crm/owners/2026-03", "2026-03")]:
    suffix = "" if tag == "v3" else "_2026_03"
    listing = {"operationId": "listOwners" + suffix, "tags": ["owners"], "summary": "Owners, paged (HubSpot's Owners API)",
        "security": OWN, "parameters": [
            {"name": "email", "in": "query", "required": False, "schema": {"type": "string"}, "description": "Only the owner with this e-mail (any case)"},
            {"name": "after", "in": "query", "required": False, "schema": {"type": "string"}},
            {"name": "limit", "in": "query", "required": False, "schema": {"type": "integer", "minimum": 1, "maximum": 500, "default": 100}},
            ARCH],
        "responses": {**ok(200, "CollectionResponsePublicOwnerForwardPaging"), **errs(400, 401, 403)}}
    paths[base] = {"get": listing}
    paths[base + "/"] = {"get": {**listing, "operationId": "listOwnersSlash" + suffix}}
    paths[base + "/{ownerId}"] = {"get": {"operationId": "getOwner" + suffix, "tags": ["owners"],
        "summary": "One owner, by owner id or (idProperty=userId) user id", "security": OWN, "parameters": [
            {"name": "ownerId", "in": "path", "required": True, "schema": {"type": "string"}},
            {"name": "idProperty", "in": "query", "required": False, "schema": {"type": "string", "enum": ["id", "userId"], "default": "id"}},
            ARCH],
        "responses": {**ok(200, "PublicOwner"), **errs(400, 401, 403, 404)}}}
# Quota files: the spreadsheet round trip.
SCHEMAS["QuotaFamilyPlan"] = {"type": "object", "required": ["family", "goal", "newFamily", "newGroups", "create", "change", "unchanged"],
    "properties": {"family": {"type": "string"}, "goal": {"type": "string"}, "newFamily": {"type": "boolean"},
                   "newGroups": {"type": "integer"}, "create": {"type": "array", "items": {"type": "integer"}},
                   "change": {"type": "array", "items": {"type": "integer"}}, "unchanged": {"type": "integer"},
                   "refused": {"type": "string"}}}
QTOTALS = ["families", "newFamilies", "newGroups", "create", "change", "unchanged", "refused", "problems"]
SCHEMAS["QuotaImport"] = {"type": "object", "required": ["layout", "rows", "applied", "written", "totals", "families", "problems"],
    "properties": {"layout": {"type": "string", "enum": ["rows", "grid"]}, "rows": {"type": "integer"},
                   "applied": {"type": "boolean"}, "written": {"type": "integer"},
                   # The whole file's counts; `families` lists the first 50 and the refused ones
                   # (1,000 at most), `problems` the first 1,000 lines in line order.
                   "totals": {"type": "object", "required": QTOTALS,
                              "properties": {k: {"type": "integer"} for k in QTOTALS}},
                   "interrupted": {"type": "integer"},
                   "families": {"type": "array", "items": ref("QuotaFamilyPlan")},
                   "problems": {"type": "array", "items": {"type": "object", "required": ["line", "reason"], "properties": {
                       "line": {"type": "integer"}, "reason": {"type": "string"}}}}}}
QLAYOUT = {"name": "layout", "in": "query", "required": False, "schema": {"type": "string", "enum": ["rows", "grid"]}}
QFORMAT = {"name": "format", "in": "query", "required": False, "schema": {"type": "string", "enum": ["csv", "ndjson"]}}
paths["/goalpost/v1/imports"] = {"post": {"operationId": "importQuotas", "tags": ["quotas"],
    "summary": "Plan a quota file (CSV or NDJSON, rows or grid) and, with dry_run=false, write it",
    "security": [{"bearer": ["goalpost.quotas.write"]}],
    "parameters": [{"name": "dry_run", "in": "query", "required": False, "schema": {"type": "boolean", "default": True}}, QLAYOUT, QFORMAT],
    "requestBody": {"required": True, "content": {"text/csv": {"schema": {"type": "string"}}, "application/x-ndjson": {"schema": {"type": "string"}}}},
    "responses": {**ok(200, "QuotaImport"), **errs(400, 401, 403, 413)}}}
paths["/goalpost/v1/exports"] = {"get": {"operationId": "exportQuotas", "tags": ["quotas"],
    "summary": "The portal's goal targets as a quota file that the import reads back unchanged",
    "security": [{"bearer": ["goalpost.quotas.read", "goalpost.quotas.write"]}], "parameters": [QLAYOUT, QFORMAT],
    "responses": {"200": {"description": "The file", "content": {"text/csv": {"schema": {"type": "string"}},
                  "application/x-ndjson": {"schema": {"type": "string"}}}}, **errs(400, 401, 403)}}}
SREAD, SWRITE = "crm.schemas.goals.read", "crm.schemas.goals.write"
PNAME = {"name": "propertyName", "in": "path", "required": True, "schema": {"type": "string"}}
PARCH = {"name": "archived", "in": "query", "required": False, "schema": {"type": "boolean", "default": False},
         "description": "true lists the portal's archived custom properties."}

GNAME = {"name": "groupName", "in": "path", "required": True, "schema": {"type": "string"}}
GARCH = {"name": "archived", "in": "query", "required": False, "schema": {"type": "boolean", "default": False},
         "description": "true lists the portal's archived custom groups."}

def property_paths(prefix, suffix, t, v):
    base = f"{prefix}/{t['name']}"
    SREAD, SWRITE = t["sread"], t["swrite"]
    return {
        base: {
            "get": {"operationId": "listProperties" + suffix, "summary": "Every property definition (built-in and custom)",
                    "security": SEC(SREAD), "parameters": [PARCH, arr_param("properties", "Only these names.")],
                    "responses": {**ok(200, "CollectionResponseProperty"), **errs(400, 401, 403)}},
            "post": {"operationId": "createProperty" + suffix,
                     "summary": "Create a custom property (name: lowercase letters, digits, _; not hs_; at most 10 unique-value properties)",
                     "security": SEC(SWRITE), "requestBody": body("PropertyCreate"),
                     "responses": {**created(v, "Property"), **errs(400, 401, 403), "409": {"description": "Exists already, or stored values are not unique",
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
        f"{base}/groups": {
            "get": {"operationId": "listPropertyGroups" + suffix,
                    "summary": "The property groups of the type: HubSpot-defined ones, the portal's custom ones, and any other group a custom property names",
                    "security": SEC(SREAD), "parameters": [GARCH],
                    "responses": {**ok(200, "CollectionResponsePropertyGroup"), **errs(400, 401, 403, 404)}},
            "post": {"operationId": "createPropertyGroup" + suffix, "summary": "Create a custom property group",
                     "security": SEC(SWRITE), "requestBody": body("PropertyGroupCreate"),
                     "responses": {**created(v, "PropertyGroup"), **errs(400, 401, 403, 404),
                                   "409": {"description": "The group exists", "content": {"application/json": {"schema": ref("Error")}}}}},
        },
        f"{base}/groups/{{groupName}}": {
            "get": {"operationId": "readPropertyGroup" + suffix, "summary": "One property group", "security": SEC(SREAD),
                    "parameters": [GNAME], "responses": {**ok(200, "PropertyGroup"), **errs(401, 403, 404)}},
            "patch": {"operationId": "updatePropertyGroup" + suffix, "summary": "Relabel or reorder a custom group (HubSpot-defined ones are read-only)",
                      "security": SEC(SWRITE), "parameters": [GNAME], "requestBody": body("PropertyGroupUpdate"),
                      "responses": {**ok(200, "PropertyGroup"), **errs(400, 401, 403, 404)}},
            "delete": {"operationId": "archivePropertyGroup" + suffix, "summary": "Archive a custom group that no live custom property names",
                       "security": SEC(SWRITE), "parameters": [GNAME], "responses": {**ok(204, None, "Archived"), **errs(400, 401, 403, 404)}},
        },
        f"{base}/{{propertyName}}": {
            "get": {"operationId": "readProperty" + suffix, "summary": "One property definition", "security": SEC(SREAD),
                    "parameters": [PNAME, PARCH], "responses": {**ok(200, "Property"), **errs(400, 401, 403, 404)}},
            "patch": {"operationId": "updateProperty" + suffix, "summary": "Change a custom property (HubSpot-defined ones are read-only)",
                      "security": SEC(SWRITE), "parameters": [PNAME], "requestBody": body("PropertyUpdate"),
                      "responses": {**ok(200, "Property"), **errs(400, 401, 403, 404)}},
            "delete": {"operationId": "archiveProperty" + suffix, "summary": "Archive a custom property; values and history stay",
                       "security": SEC(SWRITE), "parameters": [PNAME], "responses": {**ok(204, None, "Archived"), **errs(400, 401, 403, 404)}},
        },
    }

# Every engine object type is served by the same routes; operation ids carry the type.
OBJECT_TYPES = [
    {"name": "goal_targets", "op": "", "noun": "goal target", "nouns": "goal targets", "Noun": "Goal target",
     "read": READ, "write": WRITE, "sread": SREAD, "swrite": SWRITE},
    {"name": "deals", "op": "Deal", "noun": "deal", "nouns": "deals", "Noun": "Deal",
     "read": "crm.objects.deals.read", "write": "crm.objects.deals.write",
     "sread": "crm.objects.deals.read", "swrite": SWRITE},
    {"name": "activities", "op": "Activity", "noun": "activity", "nouns": "activities", "Noun": "Activity",
     "read": "crm.objects.activities.read", "write": "crm.objects.activities.write",
     "sread": "crm.objects.activities.read", "swrite": SWRITE},
]
SCHEMAS["BatchResponsePublicDefaultAssociation"] = batch("PublicDefaultAssociation", False)
SCHEMAS["BatchResponseLabelsBetweenObjectPair"] = batch("LabelsBetweenObjectPair", False)
SCHEMAS["BatchResponsePublicAssociationMultiWithLabel"] = batch("PublicAssociationMultiWithLabel", True)
SCHEMAS["BatchResponseVoid"] = batch("PublicObjectId", False)

OBJID = {"name": "objectId", "in": "path", "required": True, "schema": {"type": "string"}}
TOTYPE = {"name": "toObjectType", "in": "path", "required": True, "schema": {"type": "string"}, "description": "A type name or object type id."}
TOID = {"name": "toObjectId", "in": "path", "required": True, "schema": {"type": "string"}}
FROMTYPE = {"name": "fromObjectType", "in": "path", "required": True, "schema": {"type": "string"}}
TYPEID = {"name": "associationTypeId", "in": "path", "required": True, "schema": {"type": "integer", "format": "int32"}}
SPECS = {"required": True, "content": {"application/json": {"schema": {"type": "array", "items": ref("AssociationSpec")}}}}

def object_association_paths(prefix, suffix, t):
    base = f"{prefix}/{t['name']}/{{objectId}}/associations"
    READ, WRITE = t["read"], t["write"]
    return {
        f"{base}/{{toObjectType}}": {"get": {
            "operationId": "listAssociations" + suffix, "summary": f"A {t['noun']}'s associations to a type, by associated id",
            "security": SEC(READ), "parameters": [OBJID, TOTYPE,
                {"name": "after", "in": "query", "schema": {"type": "integer", "minimum": 0}, "description": "paging.next.after."},
                {"name": "limit", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 500, "default": 500}}],
            "responses": {**ok(200, "CollectionResponseMultiAssociatedObjectWithLabelForwardPaging"), **errs(400, 401, 403, 404)}}},
        f"{base}/{{toObjectType}}/{{toObjectId}}": {
            "put": {"operationId": "createAssociation" + suffix, "summary": "Associate two objects with these types (the default always)",
                    "security": SEC(WRITE), "parameters": [OBJID, TOTYPE, TOID], "requestBody": SPECS,
                    "responses": {**ok(201, "LabelsBetweenObjectPair", "Created"), **errs(400, 401, 403, 404)}},
            "delete": {"operationId": "archiveAssociation" + suffix, "summary": "Remove every association between two objects",
                       "security": SEC(WRITE), "parameters": [OBJID, TOTYPE, TOID],
                       "responses": {**ok(204, None, "Removed"), **errs(400, 401, 403, 404)}}},
        f"{base}/default/{{toObjectType}}/{{toObjectId}}": {"put": {
            "operationId": "createDefaultAssociation" + suffix, "summary": "Associate two objects by the pair's default type",
            "security": SEC(WRITE), "parameters": [OBJID, TOTYPE, TOID],
            "responses": {**ok(200, "BatchResponsePublicDefaultAssociation"), **errs(400, 401, 403, 404)}}},
    }

def pair_paths(prefix, suffix, v):
    base = f"{prefix}/{{fromObjectType}}/{{toObjectType}}"
    P = [FROMTYPE, TOTYPE]
    SECR = [{"bearer": [s]} for s in sorted({t["read"] for t in OBJECT_TYPES})]
    SECW = [{"bearer": [s]} for s in sorted({t["write"] for t in OBJECT_TYPES})]
    archived = ok(200, "BatchResponseVoid") if v["association_void"] else ok(204, None, "Removed")
    return {
        f"{base}/batch/create": {"post": {"operationId": "batchCreateAssociations" + suffix, "summary": "Associate pairs with types, in one transaction",
            "security": SECW, "parameters": P, "requestBody": body("BatchInputPublicAssociationMultiPost"),
            "responses": {**ok(201, "BatchResponseLabelsBetweenObjectPair", "Created"), **errs(400, 401, 403, 404)}}},
        f"{base}/batch/associate/default": {"post": {"operationId": "batchCreateDefaultAssociations" + suffix,
            "summary": "Associate pairs by the default type, in one transaction", "security": SECW, "parameters": P,
            "requestBody": body("BatchInputPublicDefaultAssociationMultiPost"),
            "responses": {**ok(200, "BatchResponsePublicDefaultAssociation"), **errs(400, 401, 403, 404)}}},
        f"{base}/batch/read": {"post": {"operationId": "batchReadAssociations" + suffix, "summary": "Objects' associations to the other type",
            "security": SECR, "parameters": P, "requestBody": body("BatchInputPublicFetchAssociationsBatchRequest"),
            "responses": {**ok(200, "BatchResponsePublicAssociationMultiWithLabel"),
                          **ok(207, "BatchResponsePublicAssociationMultiWithLabel", "Some objects were not found"), **errs(400, 401, 403, 404)}}},
        f"{base}/batch/archive": {"post": {"operationId": "batchArchiveAssociations" + suffix, "summary": "Remove every association between pairs",
            "security": SECW, "parameters": P, "requestBody": body("BatchInputPublicAssociationMultiArchive"),
            "responses": {**archived, **errs(400, 401, 403, 404)}}},
        f"{base}/batch/labels/archive": {"post": {"operationId": "batchArchiveAssociationLabels" + suffix,
            "summary": "Remove types from pairs (the default type removes the association)", "security": SECW, "parameters": P,
            "requestBody": body("BatchInputPublicAssociationMultiPost"), "responses": {**ok(204, None, "Removed"), **errs(400, 401, 403, 404)}}},
        f"{base}/labels": {
            "get": {"operationId": "listAssociationLabels" + suffix, "summary": "The pair's default type and labels", "security": SECR,
                    "parameters": P, "responses": {**ok(200, "CollectionResponseAssociationSpecWithLabelNoPaging"), **errs(401, 403, 404)}},
            "post": {"operationId": "createAssociationLabel" + suffix, "summary": "Create a label (a type per direction)", "security": SECW,
                     "parameters": P, "requestBody": body("PublicAssociationDefinitionCreateRequest"),
                     "responses": {**ok(200, "CollectionResponseAssociationSpecWithLabelNoPaging"), **errs(400, 401, 403, 404),
                                   "409": {"description": "The name exists", "content": {"application/json": {"schema": ref("Error")}}}}},
            "put": {"operationId": "updateAssociationLabel" + suffix, "summary": "Relabel a type (and its inverse)", "security": SECW,
                    "parameters": P, "requestBody": body("PublicAssociationDefinitionUpdateRequest"),
                    "responses": {**ok(204, None, "Updated"), **errs(400, 401, 403, 404)}}},
        f"{base}/labels/{{associationTypeId}}": {"delete": {"operationId": "deleteAssociationLabel" + suffix,
            "summary": "Delete a label and the associations that carry it", "security": SECW, "parameters": P + [TYPEID],
            "responses": {**ok(204, None, "Deleted"), **errs(400, 401, 403, 404)}}},
    }

# HubSpot's published versions (src/http/hubspot/versions.rs): prefixes and what differs.
VERSIONS = [
    {"name": "v3", "objects": "/crm/v3/objects", "properties": "/crm/v3/properties", "op": "", "envelope": False, "batch_create": 201,
     "assoc_objects": "/crm/v4/objects", "associations": "/crm/v4/associations", "association_void": False},
    {"name": "2025-09", "objects": "/crm/objects/2025-09", "properties": "/crm/properties/2025-09", "op": "V202509", "envelope": True, "batch_create": 200,
     "assoc_objects": "/crm/objects/2025-09", "associations": "/crm/associations/2025-09", "association_void": True},
    {"name": "2026-03", "objects": "/crm/objects/2026-03", "properties": "/crm/properties/2026-03", "op": "V202603", "envelope": False, "batch_create": 201,
     "assoc_objects": "/crm/objects/2026-03", "associations": "/crm/associations/2026-03", "association_void": True},
    {"name": "2026-09", "objects": "/crm/objects/2026-09", "properties": "/crm/properties/2026-09", "op": "V202609", "envelope": False, "batch_create": 201,
     "assoc_objects": "/crm/objects/2026-09", "associations": "/crm/associations/2026-09", "association_void": True},
]
for name in ["SimplePublicObject", "Property", "PropertyGroup"]:
    SCHEMAS["CreatedResponse" + name] = {"type": "object", "required": ["createdResourceId", "entity", "location"], "properties": {
        "createdResourceId": {"type": "string"}, "entity": ref(name), "location": {"type": "string"}}}
for t in OBJECT_TYPES:
    for v in VERSIONS:
        paths.update(property_paths(v["properties"], t["op"] + v["op"], t, v))
        paths.update(object_paths(v["objects"], t["op"] + v["op"], t, v))
        paths.update(object_association_paths(v["assoc_objects"], t["op"] + v["op"], t))
for v in VERSIONS:
    paths.update(pair_paths(v["associations"], v["op"], v))
# HubSpot's associations schema reference spells the v4 prefix this way too.
paths.update(pair_paths("/crm/associations/v4", "V4", VERSIONS[0]))

# Pipedrive's Goals API v1 (under /v1 and /api/v1) and goalpost's lookup tables.
PD_SEC_READ = [{"api_key": []}, {"api_token": []}, {"bearer": ["goals:read"]}]
PD_SEC_FULL = [{"api_key": []}, {"api_token": []}, {"bearer": ["goals:full"]}]
def pd_errs(*codes):
    return {str(c): {"description": {400: "Invalid input; the message names the field", 401: "Missing or unknown token",
                                     403: "Missing scope", 404: "Goal not found", 413: "Body too large",
                                     503: "Database unavailable"}[c],
                     "content": {"application/json": {"schema": ref("PdError")}}} for c in codes}
INT_OR_STR = {"oneOf": [{"type": "integer", "minimum": 1}, {"type": "string", "pattern": "^ *0*[1-9][0-9]{0,17} *$"}]}
NUM_OR_STR = {"oneOf": [{"type": "number", "minimum": 0, "maximum": 1e14}, {"type": "string", "pattern": "^[0-9]{1,14}(\\.[0-9]+)?$"}]}
IDS = {"type": "array", "items": INT_OR_STR, "nullable": True}
GOAL_TYPES = ["deals_won", "deals_progressed", "activities_completed", "activities_added", "deals_started", "revenue_forecast"]
PD_ENVELOPE = {"success": {"type": "boolean"}, "statusCode": {"type": "integer"}, "statusText": {"type": "string"},
               "service": {"type": "string"}}
SCHEMAS.update({
    "PdGoalType": {"type": "object", "required": ["name"], "properties": {
        "name": {"type": "string", "enum": GOAL_TYPES},
        "params": {"type": "object", "nullable": True, "properties": {
            "pipeline_id": IDS, "stage_id": {**INT_OR_STR, "nullable": True}, "activity_type_id": IDS}}}},
    "PdAssignee": {"type": "object", "required": ["id", "type"], "properties": {
        "id": INT_OR_STR, "type": {"type": "string", "enum": ["person", "company", "team"]}}},
    "PdOutcome": {"type": "object", "required": ["target", "tracking_metric"], "properties": {
        "target": NUM_OR_STR, "tracking_metric": {"type": "string", "enum": ["quantity", "sum"]},
        "currency_id": {**INT_OR_STR, "nullable": True}}},
    "PdDuration": {"type": "object", "required": ["start"], "properties": {
        "start": {"type": "string", "format": "date"}, "end": {"type": "string", "format": "date", "nullable": True}}},
    "PdAddGoalRequest": {"type": "object", "required": ["assignee", "type", "expected_outcome", "duration", "interval"],
        "additionalProperties": False, "properties": {
        "title": {"type": "string", "maxLength": 255, "nullable": True}, "assignee": ref("PdAssignee"), "type": ref("PdGoalType"),
        "expected_outcome": ref("PdOutcome"), "duration": ref("PdDuration"),
        "interval": {"type": "string", "enum": ["weekly", "monthly", "quarterly", "yearly"]}}},
    "PdBasicGoalRequest": {"type": "object", "additionalProperties": False, "properties": {
        "title": {"type": "string", "maxLength": 255, "nullable": True}, "assignee": {"type": "object"}, "type": ref("PdGoalType"),
        "expected_outcome": {"type": "object"}, "duration": {"type": "object"},
        "interval": {"type": "string", "enum": ["weekly", "monthly", "quarterly", "yearly"]}}},
    "PdGoal": {"type": "object", "required": ["id", "owner_id", "title", "type", "assignee", "interval", "duration",
                                              "expected_outcome", "is_active", "report_ids"], "properties": {
        "id": {"type": "string", "pattern": "^[0-9a-f]{32}$"}, "owner_id": {"type": "integer"}, "title": {"type": "string"},
        "type": {"type": "object", "required": ["name", "params"], "properties": {
            "name": {"type": "string", "enum": GOAL_TYPES},
            "params": {"type": "object", "properties": {
                "pipeline_id": {"type": "array", "items": {"type": "integer"}, "nullable": True},
                "stage_id": {"type": "integer"},
                "activity_type_id": {"type": "array", "items": {"type": "integer"}, "nullable": True}}}}},
        "assignee": {"type": "object", "required": ["id", "type"], "properties": {
            "id": {"type": "integer"}, "type": {"type": "string", "enum": ["person", "company", "team"]}}},
        "interval": {"type": "string", "enum": ["weekly", "monthly", "quarterly", "yearly"]},
        "duration": {"type": "object", "required": ["start", "end"], "properties": {
            "start": {"type": "string", "format": "date"}, "end": {"type": "string", "format": "date", "nullable": True}}},
        "expected_outcome": {"type": "object", "required": ["target", "tracking_metric"], "properties": {
            "target": {"type": "number"}, "tracking_metric": {"type": "string", "enum": ["quantity", "sum"]},
            "currency_id": {"type": "integer"}}},
        "is_active": {"type": "boolean"}, "report_ids": {"type": "array", "items": {"type": "string"}}}},
    "PdUpsertGoalResponse": {"type": "object", "required": ["success", "data"], "properties": {**PD_ENVELOPE,
        "data": {"type": "object", "required": ["goal"], "properties": {"goal": ref("PdGoal")}}}},
    "PdGetGoalsResponse": {"type": "object", "required": ["success", "data"], "properties": {**PD_ENVELOPE,
        "data": {"type": "object", "required": ["goals"], "properties": {"goals": {"type": "array", "items": ref("PdGoal")}}},
        "additional_data": {"type": "object", "description": "Sent when start or limit is given.", "required": ["pagination"], "properties": {
            "pagination": {"type": "object", "required": ["start", "more_items_in_collection"], "properties": {
                "start": {"type": "integer"}, "limit": {"type": "integer", "nullable": True},
                "more_items_in_collection": {"type": "boolean"}, "next_start": {"type": "integer"}}}}}}},
    "PdGoalResultResponse": {"type": "object", "required": ["success", "data"], "properties": {**PD_ENVELOPE,
        "data": {"type": "object", "required": ["progress", "goal"], "properties": {
            "progress": {"type": "number"}, "goal": ref("PdGoal"),
            "intervals": {"type": "array", "description": "Extension: progress and target per interval of the period.",
                          "items": {"type": "object", "required": ["start", "end", "progress", "target"], "properties": {
                              "start": {"type": "string", "format": "date"}, "end": {"type": "string", "format": "date"},
                              "progress": {"type": "number"}, "target": {"type": "number"}}}}}}}},
    "PdDeleteGoalResponse": {"type": "object", "required": ["success"], "properties": PD_ENVELOPE},
    "PdError": {"type": "object", "required": ["success", "error"], "properties": {
        "success": {"type": "boolean", "enum": [False]}, "error": {"type": "string"}, "error_info": {"type": "string"},
        "data": {"nullable": True}, "additional_data": {"nullable": True}, "errorCode": {"type": "integer"},
        "request_id": {"type": "string", "description": "The request's id, in every server log line about it "
                       "and in the X-HubSpot-Correlation-Id header."}}},
    "Lookup": {"type": "object", "required": ["id"], "additionalProperties": True,
               "description": "A lookup record: its id and its kind's fields (pipelines: name, active; stages: name, "
                              "pipeline_id, order_nr, deal_probability; activity_types: key_string, name; currencies: "
                              "code, name, decimal_points, symbol; teams: name, users).",
               "properties": {"id": {"type": "integer"}}},
    "LookupInput": {"type": "object", "additionalProperties": True, "description": "The kind's fields."},
    "CollectionResponseLookup": {"type": "object", "required": ["results"], "properties": {
        "results": {"type": "array", "items": ref("Lookup")}}},
})
GOAL_ID = {"name": "id", "in": "path", "required": True, "schema": {"type": "string"}, "description": "The goal's 32-hex id."}
def q(name, schema, desc, required=False, array=False):
    p = {"name": name, "in": "query", "required": required, "description": desc,
         "schema": {"type": "array", "items": schema} if array else schema}
    if array:
        p.update({"style": "form", "explode": True})
    return p
DATE = {"type": "string", "format": "date"}
for prefix, op in [("/v1", ""), ("/api/v1", "Api")]:
    paths[f"{prefix}/goals"] = {"post": {
        "operationId": "addGoal" + op, "summary": "Add a goal (stored as a goal family: one group, a slice per interval)",
        "security": PD_SEC_FULL, "requestBody": body("PdAddGoalRequest"),
        "responses": {**ok(200, "PdUpsertGoalResponse"), **pd_errs(400, 401, 403, 413)}}}
    paths[f"{prefix}/goals/find"] = {"get": {
        "operationId": "getGoals" + op,
        "summary": "Find goals; without assignee.id or a widening filter only the caller's goals",
        "security": PD_SEC_READ, "parameters": [
            q("type.name", {"type": "string", "enum": GOAL_TYPES}, "Goal type; widens to everyone's goals."),
            q("title", {"type": "string"}, "Exact title."),
            q("is_active", {"type": "string", "enum": ["true", "false", "1", "0", "all"], "default": "true"},
              "Active (not ended) goals; all is an extension."),
            q("assignee.id", {"type": "integer"}, "One assignee's goals."),
            q("assignee.type", {"type": "string", "enum": ["person", "company", "team"]}, "Widens."),
            q("expected_outcome.target", {"type": "number"}, "Widens."),
            q("expected_outcome.tracking_metric", {"type": "string", "enum": ["quantity", "sum"]}, "Widens."),
            q("expected_outcome.currency_id", {"type": "integer"}, "Widens."),
            q("type.params.pipeline_id", {"type": "integer"}, "Goals tracking every id given (comma-separated or repeated); null means all pipelines (no restriction); widens.", array=True),
            q("type.params.stage_id", {"type": "integer"}, "Widens."),
            q("type.params.activity_type_id", {"type": "integer"}, "Comma-separated or repeated; null means all activity types (no restriction); widens.", array=True),
            q("period.start", DATE, "With period.end: goals whose duration overlaps the period."),
            q("period.end", DATE, "With period.start."),
            q("start", {"type": "integer", "minimum": 0, "default": 0}, "Pagination start (goals skipped)."),
            q("limit", {"type": "integer", "minimum": 1, "maximum": 500}, "Items shown per page (absent: all)."),
        ],
        "responses": {**ok(200, "PdGetGoalsResponse"), **pd_errs(400, 401, 403)}}}
    paths[f"{prefix}/goals/{{id}}"] = {
        "put": {"operationId": "updateGoal" + op, "summary": "Update a goal; fields left out stay (type is replaced whole)",
                "security": PD_SEC_FULL, "parameters": [GOAL_ID], "requestBody": body("PdBasicGoalRequest"),
                "responses": {**ok(200, "PdUpsertGoalResponse"), **pd_errs(400, 401, 403, 404, 413)}},
        "delete": {"operationId": "deleteGoal" + op, "summary": "Mark a goal deleted; its slices are archived",
                   "security": PD_SEC_FULL, "parameters": [GOAL_ID],
                   "responses": {**ok(200, "PdDeleteGoalResponse"), **pd_errs(401, 403, 404)}}}
    paths[f"{prefix}/goals/{{id}}/results"] = {"get": {
        "operationId": "getGoalResult" + op,
        "summary": "Progress over a period inside the goal's duration, computed in SQL from deals and activities",
        "security": PD_SEC_READ, "parameters": [GOAL_ID, q("period.start", DATE, "First day.", required=True),
                                                 q("period.end", DATE, "Last day.", required=True)],
        "responses": {**ok(200, "PdGoalResultResponse"), **pd_errs(400, 401, 403, 404)}}}

# Pipedrive's webhooks API, delivering Pipedrive goal events.
SCHEMAS["PdAddWebhookRequest"] = {"type": "object", "required": ["subscription_url", "event_action", "event_object"], "properties": {
    "subscription_url": {"type": "string", "format": "uri", "maxLength": 2048, "pattern": "^https?://[^/@]+"},
    "event_action": {"type": "string", "enum": ["added", "updated", "deleted", "merged", "create", "change", "delete", "*"]},
    "event_object": {"type": "string", "enum": ["activity", "deal", "goal", "lead", "note", "organization", "person", "pipeline", "product", "stage", "user", "*"]},
    "user_id": {"type": "integer", "minimum": 1, "nullable": True}, "http_auth_user": {"type": "string", "nullable": True},
    "http_auth_password": {"type": "string", "nullable": True}, "version": {"type": "string", "enum": ["1.0", "2.0", None], "nullable": True},
    "name": {"type": "string", "nullable": True}}}
SCHEMAS["PdWebhook"] = {"type": "object", "required": ["id", "event_action", "event_object", "subscription_url", "version"], "properties": {
    "id": {"type": "integer"}, "company_id": {"type": "integer"}, "owner_id": {"type": "integer"}, "user_id": {"type": "integer"},
    "admin_id": {"type": "integer"}, "event_action": {"type": "string"}, "event_object": {"type": "string"},
    "subscription_url": {"type": "string"}, "version": {"type": "string"}, "is_active": {"type": "integer"},
    "add_time": {"type": "string"}, "type": {"type": "string"}}}
SCHEMAS["PdWebhookResponse"] = {"type": "object", "required": ["success", "data"], "properties": {
    "success": {"type": "boolean"}, "status": {"type": "string"}, "data": ref("PdWebhook")}}
SCHEMAS["PdWebhooksResponse"] = {"type": "object", "required": ["success", "data"], "properties": {
    "success": {"type": "boolean"}, "status": {"type": "string"}, "data": {"type": "array", "items": ref("PdWebhook")}}}
SCHEMAS["PdBaseResponse"] = {"type": "object", "required": ["success"], "properties": {
    "success": {"type": "boolean"}, "status": {"type": "string"}}}
HOOK_ID = {"name": "id", "in": "path", "required": True, "schema": {"type": "integer", "minimum": 1, "maximum": 9007199254740991}}
for prefix, op in [("/v1", ""), ("/api/v1", "Api")]:
    paths[f"{prefix}/webhooks"] = {
        "post": {"operationId": "addWebhook" + op, "summary": "Add a webhook: the portal's Pipedrive goal events (added, updated, deleted) POSTed to its URL, v1 or v2 payloads",
                 "security": PD_SEC_FULL, "requestBody": body("PdAddWebhookRequest"),
                 "responses": {**ok(201, "PdWebhookResponse", "Created"), **pd_errs(400, 401, 403, 413)}},
        "get": {"operationId": "getWebhooks" + op, "summary": "The portal's webhooks", "security": PD_SEC_READ,
                "responses": {**ok(200, "PdWebhooksResponse"), **pd_errs(401, 403)}}}
    paths[f"{prefix}/webhooks/{{id}}"] = {"delete": {
        "operationId": "deleteWebhook" + op, "summary": "Remove a webhook", "security": PD_SEC_FULL, "parameters": [HOOK_ID],
        "responses": {**ok(200, "PdBaseResponse"), **pd_errs(400, 401, 403, 404)}}}

KIND = {"name": "kind", "in": "path", "required": True,
        "schema": {"type": "string", "enum": ["pipelines", "stages", "activity_types", "currencies", "teams"]}}
LOOKUP_ID = {"name": "id", "in": "path", "required": True, "schema": {"type": "integer", "minimum": 1}}
LREAD = [{"bearer": ["goals:read"]}, {"bearer": ["goals:full"]}, {"bearer": ["crm.objects.deals.read"]}]
LWRITE = [{"bearer": ["goals:full"]}, {"bearer": ["crm.objects.deals.write"]}]
paths["/goalpost/v1/lookups/{kind}"] = {"get": {
    "operationId": "listLookups", "summary": "Every record of a lookup kind", "security": LREAD, "parameters": [KIND],
    "responses": {**ok(200, "CollectionResponseLookup"), **errs(401, 403, 404)}}}
paths["/goalpost/v1/lookups/{kind}/{id}"] = {
    "get": {"operationId": "readLookup", "summary": "One lookup record", "security": LREAD, "parameters": [KIND, LOOKUP_ID],
            "responses": {**ok(200, "Lookup"), **errs(401, 403, 404)}},
    "put": {"operationId": "putLookup", "summary": "Create or replace a lookup record (fields checked per kind)",
            "security": LWRITE, "parameters": [KIND, LOOKUP_ID], "requestBody": body("LookupInput"),
            "responses": {**ok(200, "Lookup"), **errs(400, 401, 403, 404, 413)}},
    "delete": {"operationId": "deleteLookup", "summary": "Remove a lookup record", "security": LWRITE,
               "parameters": [KIND, LOOKUP_ID], "responses": {**ok(204, None, "Removed"), **errs(401, 403, 404)}}}

# Change events: the journal, and HubSpot's webhooks API v3 (settings and subscriptions per
# portal and app).
EVENT_TYPES = ["object.creation", "object.propertyChange", "object.deletion", "object.restore", "object.associationChange"]
SUB_TYPES = EVENT_TYPES + [f"{p}.{a}" for p in ("deal", "goal_target")
                           for a in ("creation", "propertyChange", "deletion", "restore", "associationChange")]
SCHEMAS["Event"] = {"type": "object", "required": ["eventId", "portalId", "occurredAt", "subscriptionType", "objectId", "objectTypeId", "changeSource"],
    "description": "One change, in HubSpot's webhook payload shape (a delivery adds subscriptionId, appId and attemptNumber; the journal adds seq).",
    "properties": {"eventId": {"type": "integer"}, "seq": {"type": "string", "description": "The journal cursor of this event."},
                   "subscriptionId": {"type": "integer"}, "appId": {"type": "integer"}, "attemptNumber": {"type": "integer"},
                   "portalId": {"type": "integer"}, "occurredAt": {"type": "integer"},
                   "subscriptionType": {"type": "string"}, "objectId": {"type": "integer"}, "objectTypeId": {"type": "string"},
                   "propertyName": {"type": "string"}, "propertyValue": {"type": "string"}, "isSensitive": {"type": "boolean"},
                   "changeFlag": {"type": "string", "enum": ["CREATED", "DELETED", "RESTORED"]},
                   "changeSource": {"type": "string"}, "sourceId": {"type": "string"},
                   "fromObjectId": {"type": "integer"}, "fromObjectTypeId": {"type": "string"},
                   "toObjectId": {"type": "integer"}, "toObjectTypeId": {"type": "string"},
                   "associationTypeId": {"type": "integer", "nullable": True}, "associationRemoved": {"type": "boolean"},
                   "isPrimaryAssociation": {"type": "boolean"}}}
SCHEMAS["EventPage"] = {"type": "object", "required": ["results"], "properties": {
    "results": {"type": "array", "items": ref("Event")},
    "paging": {"type": "object", "properties": {"next": {"type": "object", "required": ["after"], "properties": {
        "after": {"type": "string"}, "link": {"type": "string"}}}}}}}
SCHEMAS["ThrottlingSettings"] = {"type": "object", "required": ["maxConcurrentRequests"], "additionalProperties": False, "properties": {
    "maxConcurrentRequests": {"type": "integer", "format": "int32", "minimum": 1, "maximum": 100},
    "period": {"type": "string", "enum": ["SECONDLY", "ROLLING_MINUTE", None], "nullable": True}}}
SCHEMAS["SettingsChangeRequest"] = {"type": "object", "required": ["targetUrl", "throttling"], "additionalProperties": False, "properties": {
    "targetUrl": {"type": "string", "format": "uri", "maxLength": 2048, "pattern": "^https?://[^/@]+"}, "throttling": ref("ThrottlingSettings")}}
SCHEMAS["SettingsResponse"] = {"type": "object", "required": ["createdAt", "targetUrl", "throttling"], "properties": {
    "targetUrl": {"type": "string"}, "throttling": ref("ThrottlingSettings"), "createdAt": TS, "updatedAt": TS}}
SCHEMAS["SubscriptionCreateRequest"] = {"type": "object", "required": ["eventType"], "additionalProperties": False, "properties": {
    "eventType": {"type": "string", "enum": SUB_TYPES}, "objectTypeId": {"type": "string", "nullable": True},
    "propertyName": {"type": "string", "nullable": True}, "eventTypeName": {"type": "string", "nullable": True},
    "active": {"type": "boolean", "description": "Defaults to false."}}}
SCHEMAS["SubscriptionPatchRequest"] = {"type": "object", "required": ["active"], "additionalProperties": False,
    "properties": {"active": {"type": "boolean"}}}
SCHEMAS["SubscriptionResponse"] = {"type": "object", "required": ["active", "createdAt", "eventType", "id"], "properties": {
    "id": {"type": "string"}, "eventType": {"type": "string"}, "objectTypeId": {"type": "string"}, "propertyName": {"type": "string"},
    "active": {"type": "boolean"}, "createdAt": TS, "updatedAt": TS}}
SCHEMAS["SubscriptionListResponse"] = {"type": "object", "required": ["results"], "properties": {
    "results": {"type": "array", "items": ref("SubscriptionResponse")}}}
SCHEMAS["BatchInputSubscriptionBatchUpdateRequest"] = {"type": "object", "required": ["inputs"], "additionalProperties": False, "properties": {
    "inputs": {"type": "array", "minItems": 1, "maxItems": 100, "items": {"type": "object", "required": ["id", "active"],
        "additionalProperties": False, "properties": {"id": {"type": "integer", "format": "int32"}, "active": {"type": "boolean"}}}}}}
SCHEMAS["BatchResponseSubscriptionResponse"] = {"type": "object", "required": ["completedAt", "results", "startedAt", "status"], "properties": {
    "status": BATCH_COMMON["status"], "results": {"type": "array", "items": ref("SubscriptionResponse")},
    "startedAt": TS, "completedAt": TS, "numErrors": {"type": "integer"},
    "errors": {"type": "array", "items": {"type": "object"}}}}
APP_ID = {"name": "appId", "in": "path", "required": True, "schema": {"type": "integer", "format": "int32", "minimum": 1}}
SUB_ID = {"name": "subscriptionId", "in": "path", "required": True, "schema": {"type": "integer", "format": "int32", "minimum": 1}}
HREAD = [{"bearer": ["goalpost.webhooks.read"]}, {"bearer": ["goalpost.webhooks.write"]}]
HWRITE = SEC("goalpost.webhooks.write")
paths["/goalpost/v1/events"] = {"get": {
    "operationId": "readEvents", "summary": "The portal's change events after a cursor, oldest first (the replayable journal)",
    "security": SEC("goalpost.events.read"),
    "parameters": [
        {"name": "after", "in": "query", "required": False, "schema": {"type": "string", "pattern": "^[0-9]+$"},
         "description": "The cursor (seq) of the last event seen; 0 or absent: from the oldest retained."},
        {"name": "limit", "in": "query", "required": False, "schema": {"type": "integer", "minimum": 1, "maximum": 1000, "default": 100}},
        {"name": "objectType", "in": "query", "required": False, "schema": {"type": "string", "enum": ["goal_targets", "deals", "activities", "0-74", "0-3", "2-1"]}},
        {"name": "objectId", "in": "query", "required": False, "schema": {"type": "integer", "minimum": 1}},
        {"name": "eventType", "in": "query", "required": False, "schema": {"type": "string", "enum": EVENT_TYPES}}],
    "responses": {**ok(200, "EventPage"), **errs(400, 401, 403)}}}
hooks = "/webhooks/v3/{appId}"
paths[f"{hooks}/settings"] = {
    "get": {"operationId": "getWebhookSettings", "summary": "Where this app's events go", "security": HREAD,
            "parameters": [APP_ID], "responses": {**ok(200, "SettingsResponse"), **errs(400, 401, 403, 404)}},
    "put": {"operationId": "putWebhookSettings", "summary": "Set the target URL and throttling (a new app gets a client secret: goalpost webhooks show)",
            "security": HWRITE, "parameters": [APP_ID], "requestBody": body("SettingsChangeRequest"),
            "responses": {**ok(200, "SettingsResponse"), **errs(400, 401, 403, 413)}},
    "delete": {"operationId": "deleteWebhookSettings", "summary": "Remove the target; subscriptions stay, delivering nowhere",
               "security": HWRITE, "parameters": [APP_ID], "responses": {**ok(204, None, "Removed"), **errs(400, 401, 403)}}}
paths[f"{hooks}/subscriptions"] = {
    "get": {"operationId": "listWebhookSubscriptions", "summary": "This app's subscriptions", "security": HREAD,
            "parameters": [APP_ID], "responses": {**ok(200, "SubscriptionListResponse"), **errs(400, 401, 403)}},
    "post": {"operationId": "createWebhookSubscription", "summary": "Subscribe to an event type (object.* with an objectTypeId; propertyChange with a propertyName)",
             "security": HWRITE, "parameters": [APP_ID], "requestBody": body("SubscriptionCreateRequest"),
             "responses": {**ok(201, "SubscriptionResponse", "Created"), **errs(400, 401, 403, 413)}}}
paths[f"{hooks}/subscriptions/batch/update"] = {"post": {
    "operationId": "batchUpdateWebhookSubscriptions", "summary": "Activate or pause subscriptions; unknown ids make it a 207",
    "security": HWRITE, "parameters": [APP_ID], "requestBody": body("BatchInputSubscriptionBatchUpdateRequest"),
    "responses": {**ok(200, "BatchResponseSubscriptionResponse"), **ok(207, "BatchResponseSubscriptionResponse", "Some ids are unknown"),
                  **errs(400, 401, 403, 413)}}}
paths[f"{hooks}/subscriptions/{{subscriptionId}}"] = {
    "get": {"operationId": "readWebhookSubscription", "summary": "One subscription", "security": HREAD,
            "parameters": [APP_ID, SUB_ID], "responses": {**ok(200, "SubscriptionResponse"), **errs(400, 401, 403, 404)}},
    "patch": {"operationId": "patchWebhookSubscription", "summary": "Activate or pause a subscription", "security": HWRITE,
              "parameters": [APP_ID, SUB_ID], "requestBody": body("SubscriptionPatchRequest"),
              "responses": {**ok(200, "SubscriptionResponse"), **errs(400, 401, 403, 404, 413)}},
    "delete": {"operationId": "deleteWebhookSubscription", "summary": "Remove a subscription", "security": HWRITE,
               "parameters": [APP_ID, SUB_ID], "responses": {**ok(204, None, "Removed"), **errs(400, 401, 403)}}}

spec = {
    "openapi": "3.0.3",
    "info": {"title": "goalpost", "version": "0.1.0",
             "description": "Self-hosted CRM store for sales goals: HubSpot CRM v3 goal_targets (and deals, activities), wire-compatible, and Pipedrive Goals API v1. "
                            "Every route served is listed here; tests/it/openapi.rs keeps this file and the route table in step. "
                            "Generated by scripts/openapi_gen.py."},
    "servers": [{"url": "http://127.0.0.1:8080"}],
    "security": [{"bearer": []}],
    "paths": paths,
    "components": {"securitySchemes": {"bearer": {"type": "http", "scheme": "bearer",
                                                  "description": "A goalpost token (goalpost token create)."},
                                       "api_key": {"type": "apiKey", "in": "header", "name": "x-api-token",
                                                   "description": "The same token, as Pipedrive's clients send it."},
                                       "api_token": {"type": "apiKey", "in": "query", "name": "api_token",
                                                     "description": "The same token, as older Pipedrive clients send it."}},
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
