"""The provider network: transportation providers, drivers, vehicles and their credentials; medical providers.

Imports are all-or-nothing CSV files (``services.platform.csv_files``). Whether a driver and vehicle may carry a trip
is the pure rule ``nemt.domain.network.check_assignment``; this package feeds it from the store.
"""

from nemt.services.network.closest import RankedProvider, closest_medical_providers
from nemt.services.network.credentials import (
    ExpiringCredential,
    assignment_check,
    driver_facts,
    expiring_credentials,
    vehicle_facts,
)
from nemt.services.network.enrolment import (
    MEDICAL_COLUMNS,
    PROVIDER_COLUMNS,
    import_medical_providers,
    import_transport_providers,
)
from nemt.services.network.fleet import DRIVER_COLUMNS, VEHICLE_COLUMNS, import_drivers, import_vehicles

__all__ = [
    "DRIVER_COLUMNS", "MEDICAL_COLUMNS", "PROVIDER_COLUMNS", "VEHICLE_COLUMNS", "ExpiringCredential",
    "RankedProvider", "assignment_check", "closest_medical_providers", "driver_facts", "expiring_credentials",
    "import_drivers", "import_medical_providers", "import_transport_providers", "import_vehicles", "vehicle_facts",
]
