"""Drives HubSpot's official Python client's search_api.do_search against a running goalpost:
filters, sorts, paging through every page, totals, and read-your-writes. Usage:
    python hubspot_search.py BASE_URL TOKEN"""
import sys
import uuid

from hubspot import HubSpot
from hubspot.crm.objects.goals import (
    ApiException,
    BatchInputSimplePublicObjectBatchInputForCreate,
    BatchInputSimplePublicObjectId,
    Filter,
    FilterGroup,
    PublicObjectSearchRequest,
    SimplePublicObjectBatchInputForCreate,
    SimplePublicObjectId,
)

base_url, token = sys.argv[1], sys.argv[2]
goals = HubSpot(access_token=token, host=base_url).crm.objects.goals


END_DAY = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]  # 2027


def family(owner, n=12):
    fam = str(uuid.uuid4())
    inputs = [SimplePublicObjectBatchInputForCreate(properties={
        "hs_goal_name": f"Revenue {owner}", "hs_milestone": "monthly", "hs_target_amount": str(100 * m),
        "hs_start_datetime": f"2027-{m:02d}-01T00:00:00Z",
        "hs_end_datetime": f"2027-{m:02d}-{END_DAY[m - 1]}T23:59:59.999Z", "hs_group_correlation_uuid": fam,
        "hs_goal_target_group_id": f"{owner}01", "hubspot_owner_id": str(owner)}) for m in range(1, n + 1)]
    res = goals.batch_api.create(BatchInputSimplePublicObjectBatchInputForCreate(inputs=inputs))
    return fam, [o.id for o in res.results]


def search(**kw):
    return goals.search_api.do_search(public_object_search_request=PublicObjectSearchRequest(**kw))


def eq(prop, value):
    return FilterGroup(filters=[Filter(property_name=prop, operator="EQ", value=value)])


fam1, ids1 = family(7)
fam2, ids2 = family(8)

# Strongly consistent: the family created a moment ago is found whole, at once.
r = search(filter_groups=[eq("hs_group_correlation_uuid", fam1)], limit=100, properties=["hs_target_amount"])
assert r.total == 12 and sorted(o.id for o in r.results) == sorted(ids1), r

# Owner + date range + sort, paged 5 at a time through every page.
seen, after = [], None
while True:
    r = search(filter_groups=[FilterGroup(filters=[
        Filter(property_name="hubspot_owner_id", operator="EQ", value="8"),
        Filter(property_name="hs_start_datetime", operator="BETWEEN", value="2027-03-01T00:00:00Z",
               high_value="1817769600000")])],  # 2027-08-01 in epoch ms
        sorts=["-hs_start_datetime"], properties=["hs_start_datetime"], limit=5, after=after)
    assert r.total == 6, r.total
    seen += [o.properties["hs_start_datetime"] for o in r.results]
    if not r.paging:
        break
    after = r.paging.next.after
assert seen == [f"2027-{m:02d}-01T00:00:00.000Z" for m in range(8, 2, -1)], seen

# OR groups, IN, tokens.
r = search(filter_groups=[eq("hs_group_correlation_uuid", fam1), eq("hs_group_correlation_uuid", fam2)], limit=1)
assert r.total == 24 and len(r.results) == 1 and r.paging.next.after
r = search(filter_groups=[FilterGroup(filters=[Filter(property_name="hubspot_owner_id", operator="IN", values=["7", "9"])])])
assert r.total == 12
r = search(filter_groups=[FilterGroup(filters=[Filter(property_name="hs_goal_name", operator="CONTAINS_TOKEN", value="rev*")])])
assert r.total == 24
r = search(query="revenue 8", limit=200)
assert r.total == 12 and len(r.results) == 12

# The documented family delete: search, then batch archive; search sees it gone at once.
goals.batch_api.archive(BatchInputSimplePublicObjectId(inputs=[SimplePublicObjectId(id=i) for i in ids1]))
assert search(filter_groups=[eq("hs_group_correlation_uuid", fam1)]).total == 0

try:
    search(filter_groups=[eq("no_such_property", "x")])
    raise AssertionError("unknown filter property accepted")
except ApiException as e:
    assert e.status == 400 and "no_such_property" in e.body
print("hubspot python client search: all checks passed")
