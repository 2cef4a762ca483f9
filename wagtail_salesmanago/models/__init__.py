from .form_page import SalesmanagoFormMixin
from .records import DeliveryAttempt, ExportRecord
from .settings import DEFAULT_DETAIL_PREFIX, SalesmanagoSettings

__all__ = [
    "DEFAULT_DETAIL_PREFIX",
    "DeliveryAttempt",
    "ExportRecord",
    "SalesmanagoFormMixin",
    "SalesmanagoSettings",
]
