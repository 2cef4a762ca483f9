"""What is stored about deliveries: the records and their attempts, the sites' holds and pauses,
the export runs and the sites' settings. Every state transition of a record is a method of its model or
queryset (``export_record``, ``querysets``), the only code that writes its state fields."""

from .erasures import ErasureRequest
from .export_record import DeliveryAttempt, ExportRecord
from .holds import DeliveryHold
from .pauses import DeliveryPause
from .runs import ExportRun
from .settings import DEFAULT_DETAIL_PREFIX, SalesmanagoSettings

__all__ = ["DEFAULT_DETAIL_PREFIX", "DeliveryAttempt", "DeliveryHold", "DeliveryPause",
           "ErasureRequest",
           "ExportRecord", "ExportRun",
           "SalesmanagoSettings"]
