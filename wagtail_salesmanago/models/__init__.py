"""The package's public models: the form page and field mixins a site's own models use, and the
stored models (``records``), named here as Django and the README know them."""

from ..records import (
    DEFAULT_DETAIL_PREFIX,
    DeliveryAttempt,
    DeliveryHold,
    DeliveryPause,
    ErasureRequest,
    ExportRecord,
    ExportRun,
    SalesmanagoSettings,
)
from .fields import SalesmanagoFieldMixin
from .form_page import SalesmanagoFormMixin
from .rules import SalesmanagoRule

__all__ = [
    "DEFAULT_DETAIL_PREFIX",
    "DeliveryAttempt",
    "DeliveryHold",
    "DeliveryPause",
    "ErasureRequest",
    "ExportRecord",
    "ExportRun",
    "SalesmanagoFieldMixin",
    "SalesmanagoFormMixin",
    "SalesmanagoRule",
    "SalesmanagoSettings",
]
