"""The model's parameters: fitted on real splits where there are data, assumed where not.

Fitted (``simulate.calibration.fit``, run by ``python bench/realism.py --fit``) on the
real files in shared/data: the UTMB 2015 and 2016 elapsed-time tables (the "mountain"
family, ~170 km, ~9,900 m of climb) and the 100 Meilen Berlin SPORTident exports of
2013, 2015 and 2016 (the "flat" family, ~161 km; 2014 is left out: its course variant
has no distances in vp_list.yaml). Each real race is simulated on its own course (its
timing points' km, climb and descent, its start time and place, no heat, no cutoffs)
and the parameters are chosen so the simulated finishers' figures match the real:

- the quantiles (5 %, 10 %, 25 %, 50 %, 75 %, 90 %, 95 %) of each section's pace divided
  by the runner's average pace, pooled over every section of at least 1 km of every
  finisher (``measures.relative_pace_quantiles``);
- the spread of finishers' average speeds (standard deviation of its logarithm);
- the share of starters who stop with their last timing point in each quarter of the
  distance (``measures.stop_shares``), turned into a hazard per km for each quarter.

The desert-only constants below them are assumptions, said as such.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class PaceParameters:
    downhill_floor: float = 0.7  # downhill cost never below this share of the flat's
    climb_scale: float = 1.0  # uphill cost above the flat's, scaled (walking steep climbs)
    braking: float = 2.32  # downhill cost added per unit of gradient past 10 %
    climber_sd: float = 0.016  # spread of runners' own climbing (log sd of climb_scale)
    section_sd: float = 0.141  # a section's pace noise (log sd)
    fatigue: float = 0.28  # pace lost per 100 equivalent km in a day, median runner
    fatigue_sd: float = 0.062  # spread of runners' fatigue (log sd)
    fatigue_power: float = 1.5625  # how fatigue grows with the distance done that day
    night: float = 1.1  # pace factor in the dark
    aid_stop_min: float = 0.5  # median minutes at each checkpoint (beyond the timed mat)
    ability_sd: float = 0.144  # spread of runners' flat speed (log sd)


PACE = PaceParameters()

# Hazard of stopping, per km, by the distance done in the day: bands of km from the
# start, and for each band the hazard for a "mountain" course (UTMB-like climbing, ~58 m
# per km) and a "flat" one; a course in between mixes them by its climb per km.
HAZARD_BANDS_KM = (0.0, 42.0, 84.0, 126.0)
HAZARD_MOUNTAIN = (0.000843, 0.004794, 0.004242, 0.000983)
HAZARD_FLAT = (0.001049, 0.00158, 0.002554, 0.001338)
MOUNTAIN_CLIMB_PER_KM = 58.0  # m/km: UTMB's 9,889 m over 169.4 km
FRAILTY_POWER = 1.0  # a runner twice as slow as the median is twice as likely to stop

# --- desert assumptions (no real multi-stage splits to fit them on) --------------------

# Median flat speed of a desert field, fresh, with a full pack (km/h): makes the median
# finisher of a 250 km race take about 45-50 hours, as in 4 Deserts results.
DESERT_SPEED_KMH = 7.0
# Desert stage races take walkers beside runners: a wider field than a 100-mile race
# with entry standards (4 Deserts finish times span about three times).
DESERT_ABILITY_WIDENING = 1.15
# A race that takes only runners who finished others of the series (The Last Desert) has
# a faster field, as narrow as a 100-mile race's.
QUALIFIED_FIELD_SPEEDUP = 1.1
DAY_FATIGUE = 0.015  # pace lost per day raced before (recovery is incomplete)
PACK_WEIGHT = 0.04  # pace lost to the full pack on day one, none by the last day
# Daily effort in a desert stage race is shorter than a 100-mile race's, and nights are
# for sleeping: the hazard of the real races is scaled so that about nine in ten
# starters finish, as 4 Deserts reports.
DESERT_HAZARD_SCALE = 0.2
HEAT_HAZARD_POWER = 8.0  # a stage 6 % hotter makes stopping 1.06**8 = 1.6 times likelier
HEAT_TOLERANCE_SD = 0.5  # spread of how much the heat slows a runner
STAGE_WEATHER_SD = 0.02  # a stage's heat differs from the race's usual by this (log sd)
WOMEN_SLOWER = 0.10  # median women's pace gap in ultras (narrower than on the road)
AGE_PEAK, AGE_SLOWING = 40, 0.01  # pace lost per year past the peak age
