from .fields import SalesmanagoFieldMixin
from .form_page import SalesmanagoFormMixin
from .holds import DeliveryHold
from .records import DeliveryAttempt, ExportRecord
from .runs import ExportRun
from .settings import DEFAULT_DETAIL_PREFIX, SalesmanagoSettings

__all__ = [
    "DEFAULT_DETAIL_PREFIX",
    "DeliveryAttempt",
    "DeliveryHold",
    "ExportRecord",
    "ExportRun",
    "SalesmanagoFieldMixin",
    "SalesmanagoFormMixin",
    "SalesmanagoSettings",
]
