"""Goal families through HubSpot's official Python client, each test in a portal of its own."""
import calendar
from datetime import datetime, timezone

import pytest
from hubspot.crm.objects.goals import (
    ApiException,
    BatchInputSimplePublicObjectBatchInputForCreate,
    PublicObjectSearchRequest,
)


def create_family(hubspot, uuid, months=12):
    """A monthly family for 2027: one group, one slice per month."""
    inputs = [{"properties": {
        "hs_goal_name": "Revenue", "hs_milestone": "monthly", "hs_target_amount": "1000",
        "hs_start_datetime": f"2027-{m:02d}-01T00:00:00Z",
        "hs_end_datetime": f"2027-{m:02d}-{calendar.monthrange(2027, m)[1]}T23:59:59.999Z",
        "hs_group_correlation_uuid": uuid, "hs_goal_target_group_id": f"g-{uuid}",
    }} for m in range(1, months + 1)]
    batch = BatchInputSimplePublicObjectBatchInputForCreate(inputs=inputs)
    return hubspot.crm.objects.goals.batch_api.create(batch)


def total(hubspot):
    page = hubspot.crm.objects.goals.search_api.do_search(PublicObjectSearchRequest(limit=1))
    return page.total


def test_each_test_sees_only_its_own_portal(hubspot):
    assert len(create_family(hubspot, "family-1").results) == 12
    assert total(hubspot) == 12


def test_timestamps_follow_the_portal_clock(hubspot, portal):
    portal.control("PUT", "/clock", {"now": "2027-01-15T09:00:00Z"})
    created = create_family(hubspot, "family-2").results[0]
    assert created.created_at == datetime(2027, 1, 15, 9, tzinfo=timezone.utc)


def test_the_client_waits_out_a_rate_limit(hubspot, portal):
    portal.control("POST", "/faults", {"kind": "rateLimit", "max": 1, "windowMs": 1000})
    for _ in range(3):  # every call succeeds: the client retried each 429 after Retry-After
        hubspot.crm.objects.goals.basic_api.get_page(limit=1)
    statuses = [r["status"] for r in portal.control("GET", "/requests")["results"]]
    assert statuses.count(429) >= 2 and statuses.count(200) == 3


def test_a_snapshot_puts_the_portal_back(hubspot, portal):
    create_family(hubspot, "family-3")
    portal.control("POST", "/snapshots/before")
    create_family(hubspot, "family-4")
    portal.control("POST", "/snapshots/before/restore")
    assert total(hubspot) == 12


def test_paging_stops_at_hubspots_result_cap(hubspot, portal):
    create_family(hubspot, "family-5")
    portal.control("POST", "/faults", {"kind": "searchCap", "limit": 10})  # HubSpot's is 10,000
    search = hubspot.crm.objects.goals.search_api.do_search
    page = search(PublicObjectSearchRequest(limit=5, after="5"))
    assert page.paging.next.after == "10"
    with pytest.raises(ApiException) as refused:
        search(PublicObjectSearchRequest(limit=5, after=page.paging.next.after))
    assert refused.value.status == 400
