"""What the sandbox answers: SALESmanago's answer shape and its error texts."""

from dataclasses import dataclass

from .rules import MAX_DETAIL_VALUE

# Confirmed by SALESmanago's PHP SDK (src/Exception/ExceptionCodeResolver.php, which also knows
# "User not authenticated"; no public source says which call answers that one, so none does here).
NOT_AUTHENTICATED = "Not authenticated"
# NOT confirmed by any public source: plausible words only. Nothing may depend on them; tests
# check that such an answer is a failure, not what it says.
API_KEY_MISSING = "Api key not specified"
REQUEST_TIME_MISSING = "Not authenticated, requestTime not specified"
WRONG_CLIENT_ID = "Authorization failed. Wrong clientId"
OWNER_MISSING = "Not authenticated, not owner specified"
OWNER_INVALID = "Not authenticated, invalid owner"
UNKNOWN_METHOD = "Unknown API method"
INVALID_JSON = "Invalid JSON request"
EMAIL_MISSING = "Contact email not specified"
CONTACT_NOT_FOUND = "Contact not found"
BATCH_MISSING = "upsertDetails not specified"
PROPERTIES_NOT_OBJECT = "properties must be a JSON object"
VALUE_TOO_LONG = f"Detail value longer than {MAX_DETAIL_VALUE} characters"
CONTACT_NOT_OBJECT = "contact must be a JSON object"
BIRTHDAY_INVALID = "Invalid birthday, expected yyyyMMdd or MMdd"
NEW_EMAIL_INVALID = "newEmail is not an e-mail address"
NEW_EMAIL_TAKEN = "newEmail belongs to another contact"
CONSENTS_INVALID = "consentDetails must be a list of objects, each with a consentName"
CONSENT_UNKNOWN = "Consent does not exist"
EVENT_CONTACT_MISSING = "Contact email or contactId not specified"
EVENT_INVALID = "Invalid contactEvent"
EVENTS_INVALID = "events must be a list of 1 to 1000 events"


@dataclass
class Answer:
    status: int
    body: object  # a dict for JSON, or str for a raw text body
    drop: bool = False  # close the connection without answering
    retry_after: str = ""  # a Retry-After header to send with it, if any


def failure(message, status=200):
    """SALESmanago's failure shape: HTTP 200, ``success`` false, ``message`` a list of strings."""
    return Answer(status, {"success": False, "message": [message]})
