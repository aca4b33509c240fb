import numpy as np
import pandas as pd
import pytest

from simfunnel import Funnel, History


def tiny():
    deals = pd.DataFrame(
        {
            "deal_id": [1, 2, 3],
            "account_id": [10, None, 11],
            "owner": ["a", "b", "a"],
            "amount": [100_000, 20_000, 60_000],
            "created_week": [0, 1, 2],
            "stage": ["criteria", "won", "lost"],
            "status": ["open", "won", "lost"],
            "closed_week": [None, 3, 4],
            "expected_close_week": [10, 5, None],
            "win_rate_override": [None, None, 0.5],
            "paid_week": [None, 6, None],
        }
    )
    events = pd.DataFrame(
        {
            "deal_id": [1, 2, 2, 3],
            "week": [2, 2, 3, 4],
            "from_stage": ["need", "need", "approved", "approved"],
            "to_stage": ["criteria", "approved", "won", "lost"],
            "outcome": ["advance", "advance", "order", "no_sale"],
            "action": [None, "arrange_demo", None, None],
        }
    )
    return deals, events


def test_snapshots_built_from_events():
    h = History(*tiny())
    s = h.snapshots
    assert len(s) == 5 + 4 + 3  # deal 1 weeks 0-4, deal 2 weeks 1-4, deal 3 weeks 2-4
    stage = {(r.deal_id, r.week): r.stage for r in s.itertuples()}
    assert [stage[(1, w)] for w in range(5)] == ["need", "need", "criteria", "criteria", "criteria"]
    assert [stage[(2, w)] for w in range(1, 5)] == ["need", "approved", "won", "won"]
    assert [stage[(3, w)] for w in range(2, 5)] == ["approved", "approved", "lost"]
    assert set(s.status[s.stage == "won"]) == {"won"}
    assert h.end_week == 4 and h.start_week == 0
    assert list(h.initial_stages()) == ["need", "need", "approved"]


def test_win_probability_override_beats_stage():
    h = History(*tiny())
    p = h.win_probability(h.deals)
    assert p.tolist() == [0.4, 1.0, 0.5]


@pytest.mark.parametrize(
    "column,value,message",
    [
        ("amount", -5, r"row 1, column 'amount'"),
        ("amount", np.nan, r"row 1, column 'amount'"),
        ("stage", "nope", r"unknown stage in deals column 'stage' 'nope' at row 1"),
        ("status", "open", r"row 1, column 'status'"),
        ("win_rate_override", 1.5, r"row 1, column 'win_rate_override'"),
        ("created_week", 1.5, r"row 1, column 'created_week'"),
    ],
)
def test_bad_deal_values_name_row_and_column(column, value, message):
    deals, events = tiny()
    deals[column] = deals[column].astype(object)
    deals.loc[1, column] = value
    with pytest.raises(ValueError, match=message):
        History(deals, events)


def test_missing_column_and_bad_events():
    deals, events = tiny()
    with pytest.raises(ValueError, match="deals: missing column 'amount'"):
        History(deals.drop(columns="amount"), events)
    bad = events.copy()
    bad.loc[0, "to_stage"] = "heaven"
    with pytest.raises(ValueError, match="unknown stage in events column 'to_stage' 'heaven' at row 0"):
        History(deals, bad)
    bad = events.copy()
    bad.loc[2, "deal_id"] = 99
    with pytest.raises(ValueError, match="events: row 2, column 'deal_id': unknown deal 99"):
        History(deals, bad)
    bad = events.copy()
    bad.loc[1, "outcome"] = "maybe"
    with pytest.raises(ValueError, match="events: row 1, column 'outcome'"):
        History(deals, bad)


def test_duplicate_deal_and_closed_without_week():
    deals, events = tiny()
    d = deals.copy()
    d.loc[2, "deal_id"] = 1
    with pytest.raises(ValueError, match="row 2, column 'deal_id': duplicate"):
        History(d, events)
    d = deals.copy()
    d.loc[1, "closed_week"] = None
    with pytest.raises(ValueError, match="row 1, column 'closed_week'"):
        History(d, events)


def test_save_and_load_round_trip(tmp_path):
    h = History(*tiny(), funnel=Funnel.preset("key-account"), currency="CNY", quota=1_000_000, start_week=1)
    h.save(tmp_path / "ds")
    back = History.load(tmp_path / "ds")
    assert back.quota == 1_000_000 and back.start_week == 1 and back.end_week == 4
    pd.testing.assert_frame_equal(back.deals, h.deals, check_dtype=False, check_categorical=False)
    pd.testing.assert_frame_equal(
        back.snapshots.reset_index(drop=True), h.snapshots.reset_index(drop=True), check_dtype=False,
        check_categorical=False,
    )


def test_load_refuses_non_dataset(tmp_path):
    with pytest.raises(ValueError, match="not a simfunnel dataset"):
        History.load(tmp_path)
    (tmp_path / "dataset.json").write_text("{not json")
    with pytest.raises(ValueError, match="dataset.json: not valid JSON"):
        History.load(tmp_path)


def test_load_names_file_line_and_column(tmp_path):
    h = History(*tiny())
    h.save(tmp_path)
    text = (tmp_path / "deals.csv").read_text().splitlines()
    text[2] = text[2].replace(",20000,", ",-20000,")  # deal 2 is on line 3 (line 1 is the header)
    (tmp_path / "deals.csv").write_text("\n".join(text) + "\n")
    with pytest.raises(ValueError, match=r"deals\.csv, line 3, column 'amount': -20000"):
        History.load(tmp_path)


def test_given_snapshots_are_checked():
    h = History(*tiny())
    snaps = h.snapshots.copy()
    doubled = pd.concat([snaps, snaps.iloc[[3]]], ignore_index=True)
    with pytest.raises(ValueError, match=r"snapshots: row 12, column 'deal_id': deal 1 appears twice in week 3"):
        History(*tiny(), snapshots=doubled)
    later = snaps.copy()
    later.loc[len(later)] = later.iloc[4]
    later.loc[len(later) - 1, "week"] = 9
    assert History(*tiny(), snapshots=later).end_week == 9


def test_deal_rows_and_first_events_agree_with_a_sort_whatever_the_ids_and_the_order():
    """The fast paths (integer ids looked up through an array, events already in week order) give what the
    plain way gives (a hash index, a lexsort by deal, week and file order), for shuffled events and text ids."""
    from simfunnel.model.history import deal_rows, first_events

    rng = np.random.default_rng(5)
    for ids in (np.arange(1, 301) * 3, np.array([f"D{i}" for i in range(300)], dtype=object),
                np.arange(300) + 10**9):  # compact ints, text, ints too sparse for an array
        deals = pd.DataFrame({"deal_id": rng.permutation(ids)})
        events = pd.DataFrame({"deal_id": np.concatenate([rng.choice(ids, 2000), ids[-1:]]),
                               "week": rng.integers(0, 30, 2001)})
        if ids.dtype == object:
            events.loc[0, "deal_id"] = "nobody"
        for ev in (events, events.sort_values("week", kind="stable")):
            pos = deal_rows(deals, ev)
            assert (pos == pd.Index(deals.deal_id).get_indexer(ev.deal_id)).all()
            order = np.lexsort((np.arange(len(ev)), ev.week.to_numpy(), pos))
            keep = order[np.r_[True, pos[order][1:] != pos[order][:-1]]]
            keep = keep[pos[keep] >= 0]
            want = np.full(len(deals), -1)
            want[pos[keep]] = keep
            assert (first_events(ev, pos, len(deals)) == want).all()
