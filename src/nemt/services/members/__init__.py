"""Members and coverage: eligibility-file import, look-up, and the member record shown to staff.

Every read and change of member data writes an audit record (``services.platform.audit``). Which members an actor
may see is the store's visibility rule, applied by the member repository.
"""

from nemt.services.members.eligibility import OPTIONAL_COLUMNS, REQUIRED_COLUMNS, ImportResult, import_eligibility
from nemt.services.members.lookup import coverage_on, find_members, get_member, visible_member
from nemt.services.platform.csv_files import check_zip

__all__ = ["OPTIONAL_COLUMNS", "REQUIRED_COLUMNS", "ImportResult", "check_zip", "coverage_on", "find_members",
           "get_member", "import_eligibility", "visible_member"]
