"""Synthetic worlds: accounts, contacts and deals, drawn with vectorised numpy.

``generate(accounts=200, seed=2026)`` gives a :class:`World` whose deals are the
opening pipeline (week 0, spread over the stages as in the steady state of the
true chain) plus the deals that will arrive in weeks 1 … ``weeks``. The
:class:`~simfunnel.model.simulate.Simulation` moves them through the funnel.

The shape of the amounts (default): log-normal with median 25,000 and σ = 1.4,
rounded to 100, at least 1,000. About 69% of deals fall below the default
threshold of 50,000 and hold about 18% of the value — most deals are small and
carry a small share of the money, which is why the course keeps them out of
the funnel (see ``amount_shape()``).

Example:
    >>> w = generate(accounts=50, seed=1)
    >>> sorted(w.tables)
    ['accounts', 'contacts', 'deals']
    >>> bool((w.deals.created_week >= 0).all())
    True
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from math import erf, exp, log, sqrt

import numpy as np
import pandas as pd

from simfunnel.model.funnel import Funnel
from simfunnel.model.history import MAX_WEEKS, PERIOD_WEEKS
from simfunnel.model.segments import DEFAULT_SEGMENTS, segment_codes
from simfunnel.model.chain import calibrated_chain, true_win_rates

# --- pools (zh, en) ------------------------------------------------------------
INDUSTRIES = (
    ("manufacturing", "制造业", "Manufacturing", "制造", "Manufacturing"),
    ("energy", "能源", "Energy", "能源", "Energy"),
    ("finance", "金融", "Finance", "金融", "Financial"),
    ("healthcare", "医疗", "Healthcare", "医疗", "Medical"),
    ("education", "教育", "Education", "教育", "Education"),
    ("government", "政府与公共事业", "Government & utilities", "公用事业", "Utilities"),
    ("retail", "零售", "Retail", "商贸", "Trading"),
    ("logistics", "交通物流", "Transport & logistics", "物流", "Logistics"),
    ("telecom", "电信", "Telecom", "通信", "Telecom"),
)
REGIONS = (
    ("north", "华北", "North China"),
    ("east", "华东", "East China"),
    ("south", "华南", "South China"),
    ("central", "华中", "Central China"),
    ("southwest", "西南", "Southwest"),
    ("northwest", "西北", "Northwest"),
    ("northeast", "东北", "Northeast"),
)
OWNERSHIP = (
    ("state_owned", "国有", "State-owned", 0.35),
    ("private", "民营", "Private", 0.45),
    ("foreign", "外资", "Foreign", 0.20),
)
NAME_PREFIXES = (
    ("华远", "Huayuan"), ("中联", "Zhonglian"), ("东方", "Dongfang"), ("恒信", "Hengxin"),
    ("宏达", "Hongda"), ("瑞丰", "Ruifeng"), ("金桥", "Jinqiao"), ("天成", "Tiancheng"),
    ("海川", "Haichuan"), ("长江", "Changjiang"), ("新元", "Xinyuan"), ("博瑞", "Borui"),
    ("安泰", "Antai"), ("鼎盛", "Dingsheng"), ("永安", "Yong'an"), ("嘉禾", "Jiahe"),
    ("卓越", "Zhuoyue"), ("明德", "Mingde"), ("启航", "Qihang"), ("立信", "Lixin"),
    ("国泰", "Guotai"), ("盛世", "Shengshi"), ("汇通", "Huitong"), ("九州", "Jiuzhou"),
    ("星河", "Xinghe"), ("远景", "Yuanjing"), ("同创", "Tongchuang"), ("凯达", "Kaida"),
    ("正泰", "Zhengtai"), ("百川", "Baichuan"), ("泰和", "Taihe"), ("华信", "Huaxin"),
    ("中鼎", "Zhongding"), ("联合", "Lianhe"), ("顺达", "Shunda"), ("宏图", "Hongtu"),
    ("精工", "Jinggong"), ("先锋", "Xianfeng"), ("万通", "Wantong"), ("和谐", "Hexie"),
)
NAME_SUFFIXES = (("有限公司", "Co., Ltd."), ("集团", "Group"))
SURNAMES = (
    ("王", "Wang"), ("李", "Li"), ("张", "Zhang"), ("刘", "Liu"), ("陈", "Chen"), ("杨", "Yang"),
    ("黄", "Huang"), ("赵", "Zhao"), ("吴", "Wu"), ("周", "Zhou"), ("徐", "Xu"), ("孙", "Sun"),
    ("马", "Ma"), ("朱", "Zhu"), ("胡", "Hu"), ("郭", "Guo"), ("何", "He"), ("高", "Gao"),
    ("林", "Lin"), ("罗", "Luo"), ("郑", "Zheng"), ("梁", "Liang"), ("谢", "Xie"), ("宋", "Song"),
    ("唐", "Tang"), ("沈", "Shen"), ("韩", "Han"), ("冯", "Feng"), ("邓", "Deng"), ("曹", "Cao"),
)
GIVEN_NAMES = (
    ("伟", "Wei"), ("芳", "Fang"), ("娜", "Na"), ("敏", "Min"), ("静", "Jing"), ("磊", "Lei"),
    ("强", "Qiang"), ("洋", "Yang"), ("艳", "Yan"), ("勇", "Yong"), ("军", "Jun"), ("杰", "Jie"),
    ("涛", "Tao"), ("明", "Ming"), ("超", "Chao"), ("秀英", "Xiuying"), ("建华", "Jianhua"),
    ("志强", "Zhiqiang"), ("海燕", "Haiyan"), ("晓东", "Xiaodong"), ("丽华", "Lihua"),
    ("国庆", "Guoqing"), ("文博", "Wenbo"), ("子涵", "Zihan"), ("雨桐", "Yutong"), ("俊杰", "Junjie"),
    ("婷", "Ting"), ("斌", "Bin"), ("鹏", "Peng"), ("慧", "Hui"),
)
FUNCTIONS = (
    ("management", "总经办", "General management"),
    ("procurement", "采购", "Procurement"),
    ("finance", "财务", "Finance"),
    ("it", "技术/IT", "IT & engineering"),
    ("operations", "生产运营", "Operations"),
    ("business", "业务部门", "Business unit"),
)
LEVELS = (("operational", "操作层", "Operational"), ("management", "管理层", "Management"), ("decision", "决策层", "Decision"))
BUYING_ROLES = (
    ("decision_maker", "决策者", "Decision maker", "鹰", "eagle"),
    ("user", "使用者", "User", "羊", "sheep"),
    ("technical_gatekeeper", "技术把关者", "Technical gatekeeper", "驴", "donkey"),
    ("financial_gatekeeper", "财务把关者", "Financial gatekeeper", "驴", "donkey"),
    ("purchaser", "采购人员", "Purchaser", "狐", "fox"),
)
BRAIN_TYPES = (
    ("A", "分析型", "Analytical"),
    ("B", "组织型", "Organised"),
    ("C", "人际型", "Interpersonal"),
    ("D", "远见型", "Visionary"),
)
PRODUCTS = (
    ("software", "软件许可", "Software licences"),
    ("services", "实施服务", "Implementation services"),
    ("hardware", "硬件设备", "Hardware"),
    ("maintenance", "维保合同", "Maintenance contract"),
    ("training", "培训", "Training"),
    ("consulting", "咨询", "Consulting"),
)


@dataclass(frozen=True)
class WorldParams:
    """The knobs of a synthetic world, with their units. Folk figures are parameters, not truths.

    Attributes:
        deals_per_account_year: new opportunities per account per year (default 8).
        amount_median: median deal amount in ``currency`` (default 25,000).
        amount_sigma: σ of log(amount) (default 1.4: heavy tail).
        amount_min: smallest amount (default 1,000); amounts are rounded to 100.
        exit_hazard: weekly chance that a deal leaves its stage (advances or is lost): 0.3 → 3.3 weeks per stage.
        existing_share: share of accounts that are already customers (default 0.45).
        potential_median: median yearly purchase potential of an account (default 2,000,000).
        payment_p: weekly chance that a won deal's invoice is paid (default 0.25 → paid 4 weeks after won on average).
        override_share: share of deals whose seller set a win-rate override (default 0).
        sellers_per_accounts: one seller per this many accounts (at least 3 sellers).
    """

    deals_per_account_year: float = 8.0
    amount_median: float = 25_000.0
    amount_sigma: float = 1.4
    amount_min: float = 1_000.0
    exit_hazard: float = 0.3
    existing_share: float = 0.45
    potential_median: float = 2_000_000.0
    payment_p: float = 0.25
    override_share: float = 0.0
    sellers_per_accounts: int = 25


@dataclass
class World:
    """Accounts, contacts and deals of a synthetic market, and the true chain that moves its deals.

    ``deals`` holds every deal as created (open, at its first stage), with its
    ``created_week`` (0 for the opening pipeline, 1 … ``weeks`` for arrivals)
    and the payment delay it will have if won.
    """

    accounts: pd.DataFrame
    contacts: pd.DataFrame
    deals: pd.DataFrame
    funnel: Funnel
    chain: pd.DataFrame
    weeks: int
    seed: int
    currency: str = "CNY"
    params: WorldParams = field(default_factory=WorldParams)
    arrival_rate: float = 0.0

    @property
    def tables(self) -> dict[str, pd.DataFrame]:
        """The three tables by name."""
        return {"accounts": self.accounts, "contacts": self.contacts, "deals": self.deals}

    @property
    def quota(self) -> float:
        """The world's expected quarterly bookings (13 weeks), rounded to two significant figures.

        = arrivals per week × 13 × mean amount × true win rate from the first stage.
        """
        mean_amount = self.params.amount_median * exp(self.params.amount_sigma**2 / 2)
        value = self.arrival_rate * PERIOD_WEEKS * mean_amount * float(true_win_rates(self.chain).iloc[0])
        if value <= 0:
            return 0.0
        digits = 1 - int(np.floor(np.log10(value)))
        return float(round(value, digits))

    def describe(self) -> dict:
        """Facts for ``dataset.json``: seed, weeks, arrival rate and parameters."""
        return {"seed": self.seed, "weeks": self.weeks, "arrival_rate": self.arrival_rate, "params": asdict(self.params)}


def amount_shape(threshold: float = 50_000.0, params: WorldParams | None = None) -> dict[str, float]:
    """Share of deals below ``threshold`` and their share of the value, for the log-normal amounts.

    Example:
        >>> s = amount_shape()
        >>> round(s["deal_share_below"], 2), round(s["value_share_below"], 2)
        (0.69, 0.18)
    """
    p = params or WorldParams()
    z = (log(threshold) - log(p.amount_median)) / p.amount_sigma

    def phi(x: float) -> float:
        return 0.5 * (1 + erf(x / sqrt(2)))

    return {"deal_share_below": phi(z), "value_share_below": phi(z - p.amount_sigma)}


def _pick(rng: np.random.Generator, n: int, probs: np.ndarray) -> np.ndarray:
    """Vectorised categorical draw: n codes with the given probabilities."""
    cdf = np.cumsum(probs / probs.sum())
    return np.minimum(np.searchsorted(cdf, rng.random(n), side="right"), len(probs) - 1).astype(np.int32)


def _cat(codes: np.ndarray, labels: tuple | list) -> pd.Categorical:
    return pd.Categorical.from_codes(codes, categories=pd.Index(list(labels)), validate=False)


# Bounds of a world, checked before anything is allocated (a typo such as 10**12 accounts must be a clear
# error, not a MemoryError after minutes): a million accounts, five million deals, ten years of weeks.
MAX_ACCOUNTS = 1_000_000
MAX_DEALS = 5_000_000


_SURNAME_ZH = {en: zh for zh, en in SURNAMES}
_GIVEN_ZH = {en: zh for zh, en in GIVEN_NAMES}


def person_name(name: str, lang: str) -> str:
    """A generated seller's or contact's name (stored in pinyin, e.g. ``"Yang Wei"``) in ``lang``: in Chinese
    characters for ``"zh"`` (``"杨伟"``); any other name, or ``"en"``, as it is.

    >>> person_name("Yang Wei", "zh"), person_name("Yang Wei", "en"), person_name("Ana Lima", "zh")
    ('杨伟', 'Yang Wei', 'Ana Lima')
    """
    if lang != "zh":
        return name
    parts = str(name).split()
    if len(parts) == 2 and parts[0] in _SURNAME_ZH and parts[1] in _GIVEN_ZH:
        return _SURNAME_ZH[parts[0]] + _GIVEN_ZH[parts[1]]
    return name


def generate(
    accounts: int | None = None,
    deals: int | None = None,
    *,
    seed: int = 2026,
    funnel: Funnel | str = "key-account",
    weeks: int = 52,
    currency: str = "CNY",
    params: WorldParams | None = None,
) -> World:
    """Draw a synthetic world.

    Args:
        accounts: number of accounts (default 200; ``deals // 8`` when only ``deals`` is given).
        deals: exact number of deals wanted (opening pipeline + arrivals); default: arrivals
            follow ``params.deals_per_account_year`` (≈ 8 per account per year, Poisson).
        seed: the same seed gives the same tables.
        funnel: a :class:`Funnel` or a preset name.
        weeks: weeks of arrivals to draw (the simulation can run this long).
        currency: the currency of every amount.
        params: :class:`WorldParams` (amount shape, stage speed, …).

    Example:
        >>> generate(deals=1000, seed=3).deals.shape[0]
        1000
    """
    p = params or WorldParams()
    f = Funnel.preset(funnel) if isinstance(funnel, str) else funnel
    if deals is not None and not 0 <= int(deals) <= MAX_DEALS:
        raise ValueError(f"deals must be between 0 and {MAX_DEALS:,}, got {deals}")
    if accounts is None:
        accounts = 200 if deals is None else max(1, int(deals) // 8)
    if not 1 <= int(accounts) <= MAX_ACCOUNTS:
        raise ValueError(f"accounts must be between 1 and {MAX_ACCOUNTS:,}, got {accounts}")
    if not 1 <= int(weeks) <= MAX_WEEKS:
        raise ValueError(f"weeks must be between 1 and {MAX_WEEKS}, got {weeks}")
    n_acc, weeks = int(accounts), int(weeks)
    expected = n_acc * p.deals_per_account_year * (weeks + 52) / 52.0  # arrivals + the opening pipeline, roughly
    if deals is None and expected > MAX_DEALS:
        raise ValueError(f"{n_acc:,} accounts over {weeks} weeks make about {expected:,.0f} deals, more than "
                         f"{MAX_DEALS:,}: give fewer accounts or weeks")
    rng = np.random.default_rng(seed)
    chain = calibrated_chain(f, exit_hazard=p.exit_hazard)

    acc = _accounts(rng, n_acc, p)
    con = _contacts(rng, acc)

    # Steady state of the true chain: expected open deals per stage per weekly arrival.
    adv = chain["advance"].to_numpy()
    exit_rate = (chain["advance"] + chain["lost"]).to_numpy()
    reach = np.concatenate([[1.0], np.cumprod(adv / exit_rate)[:-1]])
    per_arrival = reach / exit_rate
    if deals is None:
        rate = n_acc * p.deals_per_account_year / 52.0
        n_open = int(rng.poisson(rate * per_arrival.sum()))
        n_new = int(rng.poisson(rate * weeks))
    else:
        rate = int(deals) / (weeks + per_arrival.sum())
        n_open = min(int(round(rate * per_arrival.sum())), int(deals))
        n_new = int(deals) - n_open
    n = n_open + n_new
    stage = np.concatenate([_pick(rng, n_open, per_arrival), np.zeros(n_new, dtype=np.int32)])
    created = np.concatenate([np.zeros(n_open, np.int64), np.sort(rng.integers(1, weeks + 1, n_new))])

    deal_table = draw_deals(rng, acc, f, chain, p, stage, created)
    return World(
        accounts=acc,
        contacts=con,
        deals=deal_table,
        funnel=f,
        chain=chain,
        weeks=weeks,
        seed=int(seed),
        currency=currency,
        params=p,
        arrival_rate=float(rate),
    )


def draw_deals(rng: np.random.Generator, accounts: pd.DataFrame, funnel: Funnel, chain: pd.DataFrame,
               params: WorldParams, stage: np.ndarray, created: np.ndarray, first_id: int = 1) -> pd.DataFrame:
    """Deal rows drawn as :func:`generate` draws them, one per entry of ``stage`` (codes) and ``created`` (weeks).

    Accounts are picked by potential × (0.3 + share of wallet); amounts, the seller's expected close,
    overrides, payment delays and products follow ``params``. Ids run from ``first_id``.
    (:mod:`simfunnel.model.events` draws a market upturn's extra deals with it.)
    """
    acc, p, f, n = accounts, params, funnel, len(stage)
    exit_rate = (chain["advance"] + chain["lost"]).to_numpy()
    weight = acc["potential"].to_numpy() * (0.3 + acc["share_of_wallet"].to_numpy())
    account = _pick(rng, n, weight)
    amount = np.round(rng.lognormal(log(p.amount_median), p.amount_sigma, n), -2)
    amount = np.maximum(amount, p.amount_min)
    # The seller's estimate of the close: expected weeks left from the stage, give or take 30%.
    left = np.cumsum((1.0 / exit_rate)[::-1])[::-1]
    expected_close = created + np.round(left[stage] * rng.uniform(0.7, 1.3, n)).astype(np.int64)
    override = np.where(rng.random(n) < p.override_share, np.round(rng.uniform(0.05, 0.95, n), 2), np.nan)
    delay = rng.geometric(p.payment_p, n).astype(np.int64)  # weeks from won to paid, at least 1

    owner_codes = acc["owner"].cat.codes.to_numpy()[account]
    deal_table = pd.DataFrame(
        {
            "deal_id": np.arange(first_id, first_id + n, dtype=np.int64),
            "account_id": acc["account_id"].to_numpy()[account],
            "owner": _cat(owner_codes, acc["owner"].cat.categories),
            "amount": amount,
            "created_week": created,
            "stage": pd.Categorical.from_codes(stage, categories=list(f.all_keys)),
            "status": _cat(np.zeros(n, np.int8), ("open", "won", "lost")),
            "closed_week": pd.arrays.IntegerArray(np.zeros(n, np.int64), np.ones(n, dtype=bool)),
            "expected_close_week": expected_close,
            "win_rate_override": override,
            "paid_week": pd.arrays.IntegerArray(np.zeros(n, np.int64), np.ones(n, dtype=bool)),
            "product": _cat(_pick(rng, n, np.array([3, 3, 2, 2, 1, 1.0])), [k for k, _, _ in PRODUCTS]),
            "payment_delay_weeks": delay,
        }
    )
    return deal_table


def _accounts(rng: np.random.Generator, n: int, p: WorldParams) -> pd.DataFrame:
    n_ind, n_suf = len(INDUSTRIES), len(NAME_SUFFIXES)
    combos = len(NAME_PREFIXES) * n_ind * n_suf
    industry_weight = np.array([4, 2, 2, 2, 1, 2, 1, 2, 1.0])
    small = n <= combos // 2
    if small:
        # Small worlds (workshops) get distinct names so trainees never meet two of the same.
        w = np.tile(np.repeat(industry_weight, n_suf), len(NAME_PREFIXES))
        name_codes = rng.choice(combos, n, replace=False, p=w / w.sum())
        industry = (name_codes // n_suf) % n_ind
    else:
        industry = _pick(rng, n, industry_weight)
        prefix = rng.integers(0, len(NAME_PREFIXES), n)
        suffix = rng.integers(0, n_suf, n)
        name_codes = (prefix * n_ind + industry) * n_suf + suffix
    zh_names = [a + i[3] + s for a, _ in NAME_PREFIXES for i in INDUSTRIES for s, _ in NAME_SUFFIXES]
    en_names = [f"{a} {i[4]} {s}" for _, a in NAME_PREFIXES for i in INDUSTRIES for _, s in NAME_SUFFIXES]
    zh_cat = _cat(name_codes, zh_names)
    en_cat = _cat(name_codes, en_names)
    if small:
        # Drop unused categories so the tables stay small and CSV-equal on reload.
        zh_cat, en_cat = zh_cat.remove_unused_categories(), en_cat.remove_unused_categories()

    potential = np.round(rng.lognormal(log(p.potential_median), 1.0, n), -4)
    existing = rng.random(n) < p.existing_share
    share = np.where(existing, np.round(rng.beta(2.0, 4.0, n), 3), 0.0)
    segment = segment_codes(potential, share)  # the default attack/defend cut-offs of segments.py
    n_sellers = max(3, n // p.sellers_per_accounts)
    seller_codes = np.arange(n_sellers)
    seller_names = [f"{SURNAMES[(7 * i) % len(SURNAMES)][1]} {GIVEN_NAMES[(11 * i + 5) % len(GIVEN_NAMES)][1]}"
                    for i in seller_codes]
    if len(set(seller_names)) < n_sellers:
        seller_names = [f"{name} {i + 1}" for i, name in enumerate(seller_names)]
    return pd.DataFrame(
        {
            "account_id": np.arange(1, n + 1, dtype=np.int64),
            "name_zh": zh_cat,
            "name_en": en_cat,
            "industry": _cat(industry, [k for k, *_ in INDUSTRIES]),
            "region": _cat(rng.integers(0, len(REGIONS), n), [k for k, *_ in REGIONS]),
            "ownership": _cat(_pick(rng, n, np.array([o[3] for o in OWNERSHIP])), [o[0] for o in OWNERSHIP]),
            "potential": potential,
            "share_of_wallet": share,
            "existing_customer": existing,
            "segment": _cat(segment, [s[0] for s in DEFAULT_SEGMENTS]),
            "owner": _cat(rng.integers(0, n_sellers, n), seller_names),
        }
    )


def _contacts(rng: np.random.Generator, acc: pd.DataFrame) -> pd.DataFrame:
    n_acc = len(acc)
    sizes = 3 + rng.binomial(5, 0.5, n_acc)
    total = int(sizes.sum())
    account_pos = np.repeat(np.arange(n_acc), sizes)
    starts = np.cumsum(sizes) - sizes
    rank = np.arange(total) - np.repeat(starts, sizes)
    # The first contact of each account is its decision maker at decision level.
    level = np.where(rank == 0, 2, _pick(rng, total, np.array([0.5, 0.35, 0.15])))
    role_by_level = np.array(
        [[0.0, 0.55, 0.15, 0.0, 0.30], [0.15, 0.15, 0.35, 0.30, 0.05], [0.85, 0.0, 0.05, 0.10, 0.0]]
    )
    role = np.empty(total, dtype=np.int32)
    for lv in range(3):  # three levels, not a loop over contacts
        m = level == lv
        role[m] = _pick(rng, int(m.sum()), role_by_level[lv])
    role[rank == 0] = 0
    function = np.select(
        [role == 0, role == 3, role == 2, role == 4],
        [0, 2, 3, 1],
        default=rng.choice([4, 5], total),
    )
    # About 60% of accounts have a coach (向导): one contact other than the decision maker.
    has_coach = rng.random(n_acc) < 0.6
    coach_rank = 1 + np.floor(rng.random(n_acc) * (sizes - 1)).astype(np.int64)
    coach = has_coach[account_pos] & (rank == coach_rank[account_pos])
    surname = rng.integers(0, len(SURNAMES), total)
    given = rng.integers(0, len(GIVEN_NAMES), total)
    codes = surname * len(GIVEN_NAMES) + given
    zh = [s + g for s, _ in SURNAMES for g, _ in GIVEN_NAMES]
    en = [f"{s} {g}" for _, s in SURNAMES for _, g in GIVEN_NAMES]
    return pd.DataFrame(
        {
            "contact_id": np.arange(1, total + 1, dtype=np.int64),
            "account_id": acc["account_id"].to_numpy()[account_pos],
            "name_zh": _cat(codes, zh),
            "name_en": _cat(codes, en),
            "function": _cat(function, [k for k, *_ in FUNCTIONS]),
            "level": _cat(level, [k for k, *_ in LEVELS]),
            "buying_role": _cat(role, [k for k, *_ in BUYING_ROLES]),
            "coach": coach,
            "brain_type": _cat(rng.integers(0, 4, total), [k for k, *_ in BRAIN_TYPES]),
        }
    )


def world_from_history(history, seed: int = 2026) -> World:
    """Rebuild the world of a dataset: its accounts, contacts and deals as created, ready to simulate again.

    Deals go back to their stage at creation (open); payment delays are drawn anew from ``seed``.
    The chain is calibrated to the dataset's funnel with the dataset's ``exit_hazard`` when recorded.
    """
    if history.accounts is None or history.contacts is None:
        raise ValueError("this dataset has no accounts.csv/contacts.csv: it is not a simulated world")
    meta = history.meta or {}
    p = WorldParams(**meta.get("params", {})) if isinstance(meta.get("params"), dict) else WorldParams()
    rng = np.random.default_rng(seed)
    d = history.deals.copy()
    n = len(d)
    d["stage"] = pd.Categorical(history.initial_stages(), categories=list(history.funnel.all_keys))
    d["status"] = pd.Categorical(["open"] * n, categories=["open", "won", "lost"])
    d["closed_week"] = pd.arrays.IntegerArray(np.zeros(n, np.int64), np.ones(n, dtype=bool))
    d["paid_week"] = pd.arrays.IntegerArray(np.zeros(n, np.int64), np.ones(n, dtype=bool))
    d["payment_delay_weeks"] = rng.geometric(p.payment_p, n).astype(np.int64)
    return World(
        accounts=history.accounts,
        contacts=history.contacts,
        deals=d,
        funnel=history.funnel,
        chain=calibrated_chain(history.funnel, exit_hazard=p.exit_hazard),
        weeks=int(meta.get("weeks", history.end_week)),
        seed=int(seed),
        currency=history.currency,
        params=p,
        arrival_rate=float(meta.get("arrival_rate", 0.0)),
    )
