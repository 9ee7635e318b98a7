"""Drives HubSpot's official Python client's properties and property-groups APIs, goals
idProperty / history and associations v4 against a running goalpost (strict portal). Usage:
    python hubspot_properties.py BASE_URL TOKEN"""
import sys

from hubspot import HubSpot
from hubspot.crm.properties import (
    ApiException as PropertiesApiException,
    BatchInputPropertyCreate,
    BatchInputPropertyName,
    BatchReadInputPropertyName,
    OptionInput,
    PropertyCreate,
    PropertyName,
    PropertyUpdate,
)
from hubspot.crm.objects.goals import (
    BatchInputSimplePublicObjectBatchInputUpsert,
    BatchReadInputSimplePublicObjectId,
    Filter,
    FilterGroup,
    PublicObjectSearchRequest,
    SimplePublicObjectBatchInputUpsert,
    SimplePublicObjectId,
)

base_url, token = sys.argv[1], sys.argv[2]
client = HubSpot(access_token=token, host=base_url)
props, goals = client.crm.properties, client.crm.objects.goals

# Definitions: list, read one, create a unique one, batch create, update, groups.
names = [p.name for p in props.core_api.get_all("goal_targets").results]
assert "hs_milestone" in names and "hs_goal_name" in names
assert props.core_api.get_by_name("goal_targets", "hs_milestone").modification_metadata.read_only_definition
created = props.core_api.create("goal_targets", PropertyCreate(
    name="plan_key", label="Plan key", type="string", field_type="text",
    group_name="goal_target_information", has_unique_value=True))
assert created.has_unique_value and not created.hubspot_defined
batch = props.batch_api.create("goal_targets", BatchInputPropertyCreate(inputs=[
    PropertyCreate(name="region", label="Region", type="enumeration", field_type="select",
                   group_name="goal_target_information",
                   options=[OptionInput(label="EMEA", value="emea", display_order=0, hidden=False),
                            OptionInput(label="APAC", value="apac", display_order=1, hidden=False)])]))
assert batch.results[0].name == "region"
assert props.core_api.update("goal_targets", "region", PropertyUpdate(label="Sales region")).label == "Sales region"
read = props.batch_api.read("goal_targets", BatchReadInputPropertyName(
    archived=False, inputs=[PropertyName(name="plan_key"), PropertyName(name="region")]))
assert sorted(p.name for p in read.results) == ["plan_key", "region"]
assert any(g.name == "goal_target_information" for g in props.groups_api.get_all("goal_targets").results)
try:
    props.core_api.create("goal_targets", PropertyCreate(name="hs_nope", label="x", type="string",
                                                         field_type="text", group_name="g"))
    raise AssertionError("hs_ prefix accepted")
except PropertiesApiException as e:
    assert e.status == 400

# Upsert a yearly goal by the unique property twice: created, then updated.
def upsert(amount):
    return goals.batch_api.upsert(BatchInputSimplePublicObjectBatchInputUpsert(inputs=[
        SimplePublicObjectBatchInputUpsert(id="PLAN-2027", id_property="plan_key", properties={
            "hs_goal_name": "Plan 2027", "hs_milestone": "yearly", "hs_target_amount": amount,
            "hs_start_datetime": "2027-01-01T00:00:00Z", "hs_end_datetime": "2027-12-31T23:59:59.999Z",
            "hs_group_correlation_uuid": "plan-2027", "hs_goal_target_group_id": "p1", "region": "emea"})]))

first = upsert("100")
assert first.results[0].new is True and first.results[0].properties["plan_key"] == "PLAN-2027"
second = upsert("200")
assert second.results[0].new is False and second.results[0].id == first.results[0].id

# Read by it, with the history of both values.
got = goals.basic_api.get_by_id("PLAN-2027", id_property="plan_key", properties=["hs_target_amount"],
                                properties_with_history=["hs_target_amount"])
assert got.id == first.results[0].id
assert [h.value for h in got.properties_with_history["hs_target_amount"]] == ["200", "100"]
both = goals.batch_api.read(BatchReadInputSimplePublicObjectId(
    id_property="plan_key", inputs=[SimplePublicObjectId(id="PLAN-2027")], properties=["region"],
    properties_with_history=["hs_target_amount"]))
assert both.results[0].properties["region"] == "emea"

# Search by it.
found = goals.search_api.do_search(public_object_search_request=PublicObjectSearchRequest(filter_groups=[
    FilterGroup(filters=[Filter(property_name="plan_key", operator="EQ", value="PLAN-2027")])]))
assert found.total == 1

# Archive the enumeration property in a batch; it is listed as archived.
props.batch_api.archive("goal_targets", BatchInputPropertyName(inputs=[PropertyName(name="region")]))
archived = [p.name for p in props.core_api.get_all("goal_targets", archived=True).results]
assert archived == ["region"], archived
# Property groups: create, read, relabel, list, archive.
from hubspot.crm.properties import PropertyGroupCreate, PropertyGroupUpdate

group = props.groups_api.create("goal_targets", PropertyGroupCreate(name="py_plan", label="Plan", display_order=2))
assert group.name == "py_plan" and group.display_order == 2
assert props.groups_api.get_by_name("goal_targets", "py_plan").label == "Plan"
assert props.groups_api.update("goal_targets", "py_plan", PropertyGroupUpdate(label="Plan 2027")).label == "Plan 2027"
assert any(g.name == "py_plan" for g in props.groups_api.get_all("goal_targets").results)
props.groups_api.archive("goal_targets", "py_plan")

# Associations v4: the upserted goal and a deal, by default type, read from both sides, then
# searched by; the v3 read shows them too.
from hubspot.crm.deals import SimplePublicObjectInputForCreate as DealInput

deal = client.crm.deals.basic_api.create(DealInput(properties={"title": "Python deal"}))
v4 = client.crm.associations.v4
made = v4.basic_api.create_default("goal_targets", got.id, "deals", deal.id)
assert made.results[0].association_spec.association_type_id == 1001
back = v4.basic_api.get_page("deals", deal.id, "goal_targets")
assert [str(r.to_object_id) for r in back.results] == [got.id]
with_assoc = goals.basic_api.get_by_id(got.id, associations=["deals"])
assert with_assoc.associations["deals"].results[0].id == deal.id
by_deal = goals.search_api.do_search(public_object_search_request=PublicObjectSearchRequest(filter_groups=[
    FilterGroup(filters=[Filter(property_name="associations.deal", operator="EQ", value=deal.id)])]))
assert by_deal.total == 1
print("hubspot python client properties: all checks passed")
