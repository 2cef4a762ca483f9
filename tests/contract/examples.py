"""SALESmanago API v2 requests and answers, transcribed from public sources (not from this package).

Each example names its source: repository and path (readable with the project's search tool), or
the page. Values are illustrative; the field names, nesting and JSON types are the sources'.
Abbreviations used below:
- SDK: SALESmanago's PHP SDK, the copy inside SALESmanago's WordPress plugin,
  WordPressBugBounty/plugins-salesmanago, salesmanago/vendor/salesmanago/api-sso-util/src/...
  (an older mirror: sanis/salesmanago-api-sso-util, src/...).
- NET: tomaszcekalo/SalesManago, a .NET client whose comments paraphrase docs.salesmanago.com.
- MAGENTO: SALESmanago's Magento 1 module, OpenMageModuleFostering/salesmanago,
  app/code/community/SalesManago/Tracking/...
- PY: haloween/salesmanago-python-api, salesmanago_python_api/...
"""

# The authentication fields of every call.
# SDK Model/ConfModel.php getAuthorizationApiData(): clientId, apiKey, sha, requestTime.
# NET SalesManago/SalesManagoService.cs GetSalesManagoBase()/GetSHA(): apiKey a fresh GUID,
# sha = sha1(apiKey + clientId + apiSecret) as lowercase hex, requestTime = Unix time in ms
# (ToUnixTimeMilliseconds; the SDK and MAGENTO send seconds).
AUTH = {
    "clientId": "2rdofxpi6y4nohsy",
    "apiKey": "0b3c2a1e-5f4d-4c3b-9a8e-7d6c5b4a3f2e",
    "requestTime": 1732700000000,
    "sha": "0eac92a237da0a289ac827b8231923d4040ee3a4",
}

# One consent, as consentDetails carries it.
# SDK Entity/Consent.php (consentName, consentAccept, agreementDate int|null, ip, optOut,
# consentDescriptionId int|null) and Model/Collections/ConsentsCollection.php (key consentDetails);
# NET SalesManago/Common/ConsentDetail.cs ("agreement should exist in the system"; agreementDate
# "time in ms", "in case of absence a current timestamp will be used").
CONSENT_DETAIL = {
    "consentName": "NEWSLETTER", "consentAccept": True, "agreementDate": 1732700000000,
    "ip": "203.0.113.7", "optOut": False, "consentDescriptionId": 12,
}

# POST /api/contact/upsert.
# SDK Model/ContactModel.php toArray() (the upsert body; when the subscription status must not
# change, isSubscriptionStatusNoChangeChecker() sets every force* flag and useApiDoubleOptIn to
# false; with double opt-in it adds useApiDoubleOptIn, doubleOptInEmailId, doubleOptInLanguage, the
# names in Entity/ApiDoubleOptIn.php) and Entity/Contact/Options.php, Entity/Contact/Address.php for
# the key names; NET SalesManagoService.cs ContactUpsertAsync() ("api/contact/upsert"),
# Common/UpsertDetail.cs (birthday "yyyyMMdd or MMdd", province).
UPSERT_REQUEST = {
    **AUTH,
    "owner": "owner@firma.pl",
    "contact": {
        "email": "jan@example.com", "name": "Jan Kowalski", "phone": "+48123123123",
        "fax": "+48123123124", "company": "ACME", "externalId": "42", "state": "PROSPECT",
        "address": {"streetAddress": "Długa 1", "zipCode": "00-001", "city": "Warszawa",
                    "country": "PL"},
    },
    "newEmail": "jan.nowy@example.com",
    "tags": ["API", "SURVEY"],
    "removeTags": ["OLD"],
    "properties": {"custom.nickname": "Konri"},
    "forceOptIn": False, "forceOptOut": False, "forcePhoneOptIn": False, "forcePhoneOptOut": False,
    "useApiDoubleOptIn": False,
    "doubleOptInEmailId": "4c2d1e0f-9a8b-4c7d-8e6f-5a4b3c2d1e0f",
    "doubleOptInLanguage": "PL",
    "consentDetails": [CONSENT_DETAIL],
    "lang": "PL",
    "birthday": "19801017",
    "province": "mazowieckie",
    "async": False,
}

# A lead with a ticked consent and double opt-in: SDK ContactModel.php toArray() with
# getIsSubscribes() (forceOptIn true) and apiDoubleOptInChecker() (useApiDoubleOptIn true).
LEAD_UPSERT_REQUEST = {**UPSERT_REQUEST, "forceOptIn": True, "useApiDoubleOptIn": True}

# POST /api/contact/update, by contact ID.
# MAGENTO Model/Observer.php (customer address change): contactId at the top level, contact{...}
# without e-mail, owner, async false; NET SalesManagoService.cs ContactUpdateAsync()
# ("api/contact/update"): email or contactId, contact, force* flags, tags, removeTags, properties.
UPDATE_REQUEST = {
    **AUTH,
    "owner": "owner@firma.pl",
    "contactId": "21c252a6-6de0-436b-bae8-9d0142363266",
    "contact": {"name": "Jan Kowalski", "phone": "+48123123123"},
    "tags": ["API"],
    "removeTags": ["OLD"],
    "properties": {"custom.nickname": "Konri"},
    "forceOptIn": False, "forceOptOut": False, "forcePhoneOptIn": False, "forcePhoneOptOut": False,
    # Not shown by a client for update: assumed to take the upsert's top-level fields too.
    "useApiDoubleOptIn": False,
    "doubleOptInEmailId": "4c2d1e0f-9a8b-4c7d-8e6f-5a4b3c2d1e0f",
    "doubleOptInLanguage": "PL",
    "consentDetails": [CONSENT_DETAIL],
    "lang": "PL",
    "birthday": "19801017",
    "province": "mazowieckie",
    "async": False,
}

# The answer to contact/upsert and contact/update.
# haloween/salesmanago-python-api tests/client/test_services_integration.py (upsert and update
# answers); NET Responses/ContactIdResponse.cs (Guid ContactId) and BaseResponse.cs
# (bool Success, string[] Message); MAGENTO Helper/Data.php reads $r['contactId'].
CONTACT_ANSWER = {
    "success": True,
    "message": [],
    "contactId": "21c252a6-6de0-436b-bae8-9d0142363266",
    "externalId": None,
}

# POST /api/user/listByClient: the authentication fields plus owner.
# SDK Services/UserAccountService.php getOwnersList() with Model/ConfModel.php
# getAuthorizationApiDataWithOwner(); NET SalesManagoService.cs ListUserAccountsByClientAsync().
LIST_USERS_REQUEST = {**AUTH, "owner": "owner@firma.pl"}

# Its answer: the users as plain e-mail strings.
# NET Responses/UsersResponse.cs (string[] Users); the WordPress plugin's
# salesmanago/src/Admin/View/partials/owner.php echoes each entry of `users` as an <option> string,
# and SDK Model/ConfModel.php setOwnersListToConf() stores `users` as the owners list.
LIST_USERS_ANSWER = {"success": True, "message": [], "users": ["anna@firma.pl", "crm@firma.pl"]}

# POST /api/contact/tags: the authentication fields, owner and showSystemTags.
# pixers/salesmanago-api src/Pixers/SalesManagoAPI/Service/TagService.php getAll() and
# examples/Tag/getAll.php; the Layered Popups plugin's SALESmanago module (get_tags_html) sends
# showSystemTags too.
LIST_TAGS_REQUEST = {**AUTH, "owner": "owner@firma.pl", "showSystemTags": False}

# Its answer: `tags`, each {"tag": NAME, ...}. No SALESmanago document shows it: the Layered Popups
# module reads `$result['tags']` and each `$tag['tag']`; a public Python client reads `tag` and
# `numberOfTagged` from each entry of `tags`.
LIST_TAGS_ANSWER = {"success": True, "message": [], "tags": [{"tag": "VIP", "numberOfTagged": 1}]}

# POST /api/contact/batchupsert.
# MAGENTO controllers/CustomerController.php exportAction(): auth + owner + upsertDetails, each an
# upsert body without auth and owner; it maps contactIds (e-mail -> contact ID) back to customers.
# NET Common/UpsertDetail.cs, Responses/ContactIdsResponse.cs (Dictionary<string, Guid>).
BATCH_UPSERT_REQUEST = {
    **AUTH,
    "owner": "owner@firma.pl",
    "upsertDetails": [
        {"contact": {"email": "jan@example.com", "name": "Jan Kowalski"}, "forceOptIn": True},
        {"contact": {"email": "ola@example.com", "name": "Ola Nowak"}, "forceOptOut": True},
    ],
}
BATCH_UPSERT_ANSWER = {
    "success": True,
    "message": [],
    "contactIds": {"jan@example.com": "21c252a6-6de0-436b-bae8-9d0142363266"},
}

# A refusal: HTTP 200, success false, message a list of strings.
# SDK Exception/ExceptionCodeResolver.php knows "User not authenticated" and "Not authenticated"
# (the only confirmed texts); Entity/Response.php setMessage() joins an array message;
# NET BaseResponse.cs (bool Success, string[] Message).
FAILURE_ANSWER = {"success": False, "message": ["Not authenticated"]}

# Tags, from support.salesmanago.com/workflow-action-add-tag-to-a-contact/: capitals; special
# letters become basic ones; characters other than letters, digits and - ( [ { ) ] } _ become _
# (the page names ! # $ & * " ' as not allowed); a comma separates tags.
TAG_EXAMPLES = [
    (["ankieta"], ["ANKIETA"]),
    (["Żółta łódź"], ["ZOLTA_LODZ"]),
    (['a!b#c$d&e*f"g\'h'], ["A_B_C_D_E_F_G_H"]),
    (["x-(y)[z]{w}_"], ["X-(Y)[Z]{W}_"]),
    (["jeden,dwa, trzy"], ["JEDEN", "DWA", "TRZY"]),
    (["a.b/c@d"], ["A_B_C_D"]),
]

# support.salesmanago.com/details-ways-of-adding-and-their-usage/: "detail can contain up to 255
# signs".
MAX_DETAIL_VALUE = 255

# POST /api/v2/contact/addContactExtEvent: an external event on the contact's timeline.
# PY services/event.py (the /api/v2/ path) and data/event.py requestDict() (owner, email or
# contactId, forceOptIn, contactEvent{date, contactExtEventType, description, products, location,
# value, externalId, shopDomain, detail1..detail20}); SDK Model/EventModel.php and
# Entity/Event/Event.php (date: a 13-digit timestamp); NET ContactEvent.cs (the limits: description
# 2048, products 512, location 36 of a-z 0-9 / _ - ., externalId 255) and
# SalesManagoService.cs AddContactExternalEventAsync().
CONTACT_EVENT = {
    "date": 1732700000000, "contactExtEventType": "SURVEY", "description": "Ankieta satysfakcji",
    # value: PY sends a string, NET a float; null here leaves its JSON type open.
    "products": "P1,P2", "location": "sklep_1", "value": None, "externalId": "submission-42",
    "shopDomain": "sklep.example.com",
    **{f"detail{number}": f"detail {number}" for number in range(1, 21)},
}
EVENT_REQUEST = {
    **AUTH,
    "owner": "owner@firma.pl",
    "email": "jan@example.com",
    "contactId": "21c252a6-6de0-436b-bae8-9d0142363266",
    "forceOptIn": False,
    "contactEvent": CONTACT_EVENT,
}
# PY tests/event/test_services_integration.py; NET Responses/EventIdResponse.cs (Guid EventId).
EVENT_ANSWER = {"success": True, "message": [], "eventId": "21c252a6-6de0-436b-bae8-9d0142363266"}

# POST /api/v2/contact/addBatchContactExtEvent (SDK Services/ExportService.php; the older
# /api/contact/batchAddContactExtEvent is marked deprecated there, and PY and NET still use it):
# auth + owner + events[{email or contactId, contactEvent}], at most 1000 (NET
# ISalesManagoService.cs); SDK Model/Collections/EventsCollection.php (['events' => ...]), PY
# services/event.py _generate_payload().
BATCH_EVENTS_REQUEST = {
    **AUTH,
    "owner": "owner@firma.pl",
    "events": [
        {"email": "jan@example.com", "contactEvent": CONTACT_EVENT},
        {"contactId": "21c252a6-6de0-436b-bae8-9d0142363266", "contactEvent": CONTACT_EVENT},
    ],
}
# PY tests/event/test_services_integration.py; NET Responses/BatchAddContactExtEventResponse.cs
# (string[] FailedContacts, int CreatedAmount, int FailedAmount).
BATCH_EVENTS_ANSWER = {
    "success": True, "message": [], "failedContacts": ["ghost@example.com"], "createdAmount": 10,
    "failedAmount": 0,
}
