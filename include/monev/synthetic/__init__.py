"""Deterministic synthetic landing data for every extract in the contract, calibrated to
published BPJS Ketenagakerjaan / BPS figures, with optional broken deliveries."""

from monev.synthetic.bad import BAD_KINDS
from monev.synthetic.generator import generate

__all__ = ["BAD_KINDS", "generate"]
