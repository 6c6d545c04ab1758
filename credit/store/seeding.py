"""Filling a new (or older) database with the defaults: unit register, frameworks, 信易贷 targets.

Seeding goes through the same part operations as any other write (units, frameworks, targets),
as the system actor, joined into one transaction, so it is authorised and audited like them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from credit.model.accounts import SYSTEM, Actor
from credit.model.units import GROUPS, UnitRegister
from credit.store.core import Core
from credit.store.frameworks import Frameworks
from credit.store.units import SEED_MONTH, Units
from credit.store.util import check_group, check_month

DEFAULT_XYD_TARGETS: dict[int, tuple[float, float]] = {2022: (269.0, 4000.0)}
SYSTEM_USER = SYSTEM.label


@dataclass(frozen=True)
class SeedGaps:
    """What a database still lacks of the defaults; falsy when nothing is missing."""

    units: bool
    framework_groups: tuple[str, ...]
    xyd_years: tuple[int, ...]

    def __bool__(self) -> bool:
        return self.units or bool(self.framework_groups) or bool(self.xyd_years)


class Seeding:
    """`seed_gaps` (cheap, read-only: run on every open) and `seed_defaults` (only what is missing)."""

    def __init__(self, core: Core, units: Units, frameworks: Frameworks):
        self._core, self._units, self._frameworks = core, units, frameworks

    def seed_gaps(self, xyd_defaults: Mapping[int, tuple[float, float]] = DEFAULT_XYD_TARGETS) -> SeedGaps:
        """What of the defaults is missing (read-only, cheap: run it on every open)."""
        have_groups = self._frameworks.groups()
        have_years = set(self._frameworks.xyd_targets())
        return SeedGaps(
            units=self._units.is_empty(),
            framework_groups=tuple(g for g in GROUPS if g not in have_groups),
            xyd_years=tuple(y for y in xyd_defaults if y not in have_years),
        )

    def seed_defaults(
        self,
        register: UnitRegister | None,
        frameworks: Mapping[str, str] | None = None,
        *,
        by: Actor,
        effective_month: str = SEED_MONTH,
        xyd_defaults: Mapping[int, tuple[float, float]] = DEFAULT_XYD_TARGETS,
    ) -> list[str]:
        """Fill in only what is missing: units (if none), each group's framework, xyd targets.

        Idempotent and piecewise, so a database created before a framework file existed picks
        it up on a later open. Takes the write lock only when it has something to write.
        Returns what was seeded (empty list: nothing was written).
        """
        check_month(effective_month)
        frameworks = dict(frameworks or {})
        for group in frameworks:
            check_group(group)
        has_units = register is not None and len(register) > 0

        def todo(gaps: SeedGaps) -> list[str]:
            return [
                *(["units"] if gaps.units and has_units else []),
                *(f"framework:{g}" for g in gaps.framework_groups if frameworks.get(g)),
                *(f"xyd:{y}" for y in gaps.xyd_years),
            ]

        if not todo(self.seed_gaps(xyd_defaults)):
            return []
        with self._core.write():
            gaps = self.seed_gaps(xyd_defaults)  # again, under the lock
            done = todo(gaps)
            if "units" in done and register is not None:
                self._units.seed(register, effective_month, by)
            for group in gaps.framework_groups:
                if frameworks.get(group):
                    self._frameworks.save_framework(group, effective_month, frameworks[group], by, "初始化默认指标体系")
            for year in gaps.xyd_years:
                opening, target = xyd_defaults[year]
                self._frameworks.set_xyd_target(year, float(opening), float(target), by)
        return done
