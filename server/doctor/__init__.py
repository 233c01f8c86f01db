"""`mindport doctor`: can the configured interpreter run torch and mindspore on the device?"""

from server.doctor.checks import run_doctor
from server.doctor.report import (
    DoctorReport,
    Finding,
    blocking_problems,
    format_report_text,
    render_report,
    status_line,
)

__all__ = [
    "DoctorReport",
    "Finding",
    "blocking_problems",
    "format_report_text",
    "render_report",
    "run_doctor",
    "status_line",
]
