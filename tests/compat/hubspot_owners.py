"""Drives HubSpot's official Python client (hubspot-api-client 12.0.0, crm.owners) against a
running goalpost: owners filled through the owners lookup, read back page by page, by e-mail,
by id and by user id. Usage:
    python hubspot_owners.py BASE_URL TOKEN
Exits non-zero on the first failed check."""
import json
import sys
import urllib.request

from hubspot import HubSpot
from hubspot.crm.owners import ApiException

base_url, token = sys.argv[1], sys.argv[2]
owners = HubSpot(access_token=token, host=base_url).crm.owners.owners_api


def put(kind, id, body):
    request = urllib.request.Request(
        f"{base_url}/goalpost/v1/lookups/{kind}/{id}", method="PUT", data=json.dumps(body).encode(),
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"})
    urllib.request.urlopen(request).read()


for n in range(1, 6):
    put("owners", n, {"email": f"rep{n}@example.com", "first_name": f"Rep{n}", "user_id": 100 + n})
put("owners", 6, {"email": "gone@example.com", "archived": True})
put("teams", 1, {"name": "East", "users": [101, 102]})

seen, after = [], None
while True:  # limit 2: three pages, as the client pages HubSpot
    page = owners.get_page(limit=2, after=after)
    seen += [o.id for o in page.results]
    if page.paging is None:
        break
    after = page.paging.next.after
assert seen == ["1", "2", "3", "4", "5"], seen

rep1 = owners.get_page(email="REP1@example.com").results
assert [o.id for o in rep1] == ["1"] and rep1[0].teams[0].name == "East", rep1
assert rep1[0].teams[0].primary is True and rep1[0].user_id == 101
assert owners.get_by_id(owner_id=3).email == "rep3@example.com"
assert owners.get_by_id(owner_id=104, id_property="userId").id == "4"
assert [o.id for o in owners.get_page(archived=True).results] == ["6"]
try:
    owners.get_by_id(owner_id=99)
    raise AssertionError("expected a 404")
except ApiException as e:
    assert e.status == 404, e.status
print("ok")
