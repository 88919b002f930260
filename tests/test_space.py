"""Unit tests of the search space: dimensions, conversions and SearchSpace."""

from __future__ import annotations

import itertools
import math
import pickle

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from scipy import stats
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import ParameterGrid
from sklearn.svm import SVC
from sklearn.tree import DecisionTreeClassifier

from skhpo import Categorical as PublicCategorical
from skhpo import Integer as PublicInteger
from skhpo import Real as PublicReal
from skhpo.space import (
    Categorical,
    ContinuousDistribution,
    DiscreteDistribution,
    Distribution,
    Integer,
    IntegerDistribution,
    Kind,
    Ordinal,
    Real,
    SampleOnlyDistribution,
    SearchSpace,
    as_dimension,
)

FAST = settings(deadline=None, max_examples=60, suppress_health_check=[HealthCheck.too_slow])


def assert_rows_equal(a, b):
    """Exact equality of two matrices, NaN equal to NaN."""
    np.testing.assert_array_equal(np.asarray(a), np.asarray(b))


def assert_canonical(space, X):
    X = np.asarray(X, dtype=float)
    assert_rows_equal(space.canonical(X), X)
    finite = ~np.isnan(X)
    assert np.all((X[finite] >= 0.0) & (X[finite] <= 1.0))
    # NaN exactly in the inactive columns.
    assert_rows_equal(np.isnan(X), ~space.active(X))


class RvsOnly:
    """A distribution-like object that can only be sampled."""

    def rvs(self, random_state=None):
        return float(np.random.default_rng(random_state).normal())


# ---------------------------------------------------------------------------------------
# hypothesis strategies
# ---------------------------------------------------------------------------------------


@st.composite
def real_dims(draw, log=None):
    if log is None:
        log = draw(st.booleans())
    if log:
        bound = st.floats(1e-12, 1e12, allow_nan=False, allow_infinity=False)
    else:
        bound = st.floats(-1e9, 1e9, allow_nan=False, allow_infinity=False)
    low, high = draw(bound), draw(bound)
    assume(low != high)
    low, high = min(low, high), max(low, high)
    # Ranges too narrow for their logs to differ are a separate, explicit test.
    assume(not log or math.log(low) < math.log(high))
    try:
        return Real(low, high, log=log)
    except ValueError as exc:  # ranges of a handful of floats are refused: tested apart
        assume("holds only" not in str(exc))
        raise


@st.composite
def integer_dims(draw, log=None, max_width=10**6):
    if log is None:
        log = draw(st.booleans())
    low = draw(st.integers(1, 10**6) if log else st.integers(-(10**6), 10**6))
    width = draw(st.integers(1, max_width))
    return Integer(low, low + width, log=log)


hashable_choice = st.one_of(
    st.text(max_size=5),
    st.none(),
    st.booleans(),
    st.integers(-5, 5),
    st.tuples(st.integers(0, 100), st.integers(0, 100)),
)


@st.composite
def categorical_dims(draw):
    choices = draw(
        st.lists(hashable_choice, min_size=1, max_size=8, unique_by=lambda v: (type(v), v))
    )
    return Categorical(choices)


@st.composite
def ordinal_dims(draw):
    values = draw(
        st.lists(
            st.one_of(st.integers(-100, 100), st.floats(-100, 100, allow_nan=False)),
            min_size=1,
            max_size=8,
            unique_by=float,
        )
    )
    return Ordinal(values)


small_discrete_dims = st.one_of(integer_dims(max_width=30), categorical_dims(), ordinal_dims())
unit_lists = st.lists(st.floats(0.0, 1.0), min_size=1, max_size=30)


# ---------------------------------------------------------------------------------------
# property-based tests of dimensions
# ---------------------------------------------------------------------------------------


@FAST
@given(real_dims(), st.lists(st.floats(-1.0, 2.0), min_size=1, max_size=20))
def test_real_from_unit_gives_python_floats_in_bounds(dim, u):
    values = dim.from_unit(np.array(u))
    assert isinstance(values, list)
    assert len(values) == len(u)
    for v in values:
        assert type(v) is float
        assert dim.low <= v <= dim.high


@FAST
@given(integer_dims(), st.lists(st.floats(-1.0, 2.0), min_size=1, max_size=20))
def test_integer_from_unit_gives_python_ints_in_bounds(dim, u):
    values = dim.from_unit(np.array(u))
    assert len(values) == len(u)
    for v in values:
        assert type(v) is int
        assert dim.low <= v <= dim.high


@FAST
@given(st.data())
def test_real_decode_encode_roundtrip(data):
    dim = data.draw(real_dims())
    x = data.draw(st.floats(dim.low, dim.high))
    space = SearchSpace({"x": dim})
    X = space.encode([{"x": x}])
    assert X.shape == (1, 1)
    assert_canonical(space, X)
    (back,) = space.decode(X)
    assert list(back) == ["x"]
    assert type(back["x"]) is float
    # Linear scales are fixed-point in the unit interval: absolute error relative
    # to the width of the range; log scales: relative error.
    atol = 0.0 if dim.log else 1e-12 * (dim.high - dim.low)
    assert np.isclose(back["x"], x, rtol=1e-12, atol=atol)


@FAST
@given(st.data())
def test_integer_decode_encode_roundtrip_is_exact(data):
    dim = data.draw(integer_dims())
    x = data.draw(st.integers(dim.low, dim.high))
    space = SearchSpace({"n": dim})
    X = space.encode([{"n": x}])
    assert_canonical(space, X)
    (back,) = space.decode(X)
    assert back == {"n": x}
    assert type(back["n"]) is int


@FAST
@given(st.data())
def test_choice_decode_encode_roundtrip_is_exact(data):
    dim = data.draw(st.one_of(categorical_dims(), ordinal_dims()))
    space = SearchSpace({"c": dim})
    for choice in dim.choices:
        X = space.encode([{"c": choice}])
        assert_canonical(space, X)
        (back,) = space.decode(X)
        assert type(back["c"]) is type(choice)
        assert back["c"] == choice


@FAST
@given(
    st.one_of(real_dims(), integer_dims(), categorical_dims(), ordinal_dims()),
    st.lists(st.floats(-0.5, 1.5), min_size=1, max_size=30),
)
def test_snap_is_idempotent_and_keeps_the_value(dim, u):
    u = np.array(u)
    s = dim.snap(u)
    assert np.all((s >= 0.0) & (s <= 1.0))
    assert_rows_equal(dim.snap(s), s)
    assert dim.from_unit(s) == dim.from_unit(u)


@FAST
@given(small_discrete_dims, unit_lists)
def test_codes_equal_iff_decoded_values_equal(dim, u):
    u = np.array(u)
    codes = dim.codes(u)
    values = dim.from_unit(u)
    for i, j in itertools.combinations(range(len(u)), 2):
        same_value = type(values[i]) is type(values[j]) and values[i] == values[j]
        assert (codes[i] == codes[j]) == same_value


@FAST
@given(small_discrete_dims)
def test_levels_and_units_are_inverse(dim):
    levels = np.arange(dim.n_levels)
    units = dim.unit_of_level(levels)
    assert np.all((units >= 0.0) & (units <= 1.0))
    assert np.all(np.diff(units) > 0)
    assert_rows_equal(dim.level_of(units), levels)
    assert_rows_equal(dim.snap(units), units)
    assert dim.size == dim.n_levels


@FAST
@given(st.data())
def test_keys_of_canonical_rows_equal_iff_decoded_dicts_equal(data):
    pool = [
        Integer(0, 3),
        Integer(1, 20, log=True),
        Ordinal([1, 3, 10]),
        Categorical(["x", None, (1, 2)]),
        Categorical([True, False]),
    ]
    n_sub = data.draw(st.integers(1, 3))
    subspaces = []
    for s in range(n_sub):
        names = data.draw(st.lists(st.sampled_from("abcd"), unique=True, max_size=3))
        sub = {name: data.draw(st.sampled_from(pool)) for name in names}
        if n_sub > 1:
            sub["sub"] = [f"s{s}"]  # sub-spaces never give the same dict
        subspaces.append(sub)
    space = SearchSpace(subspaces if n_sub > 1 else subspaces[0])
    n = data.draw(st.integers(2, 25))
    raw = data.draw(
        st.lists(
            st.lists(st.floats(0.0, 1.0), min_size=space.n_columns, max_size=space.n_columns),
            min_size=n,
            max_size=n,
        )
    )
    X = space.canonical(np.array(raw, dtype=float).reshape(n, space.n_columns))
    assert_canonical(space, X)
    keys = space.keys(X)
    dicts = space.decode(X)
    for i, j in itertools.combinations(range(n), 2):
        assert (keys[i] == keys[j]) == (dicts[i] == dicts[j])
    # isin is membership of keys, vectorised.
    half = n // 2
    expected = [key in set(keys[half:]) for key in keys[:half]]
    assert space.isin(X[:half], X[half:]).tolist() == expected
    # The finite space enumerates to `size` distinct candidates.
    E = space.enumerate()
    assert len(E) == space.size
    assert len(set(space.keys(E))) == len(E)
    decoded = space.decode(E)
    assert len({repr(sorted(d.items(), key=str)) for d in decoded}) == len(E)
    assert_rows_equal(space.encode(decoded), E)


# ---------------------------------------------------------------------------------------
# Real / Integer details
# ---------------------------------------------------------------------------------------


def test_public_dimensions_are_the_space_dimensions():
    assert PublicReal is Real and PublicInteger is Integer and PublicCategorical is Categorical


def test_real_linear_and_log_scale_midpoints():
    assert Real(0, 10).from_unit(np.array([0.0, 0.5, 1.0])) == [0.0, 5.0, 10.0]
    values = Real(1e-4, 1.0, log=True).from_unit(np.array([0.0, 0.5, 1.0]))
    assert values == pytest.approx([1e-4, 1e-2, 1.0], rel=1e-12)


def test_integer_linear_scale_levels_are_uniform():
    dim = Integer(3, 7)
    assert dim.n_levels == 5
    u = (np.arange(5) + 0.5) / 5
    assert dim.from_unit(u) == [3, 4, 5, 6, 7]
    assert np.allclose(dim.to_unit([3, 4, 5, 6, 7]), u)


def test_integer_log_docstring_example():
    # Documented in Integer's docstring: from_unit([0.0, 0.5, 1.0]) -> [1, 10, 100].
    assert Integer(1, 100, log=True).from_unit([0.0, 0.5, 1.0]) == [1, 10, 100]


def test_real_with_extreme_finite_bounds_decodes_inside_them():
    dim = Real(-1e308, 1e308)
    with np.errstate(all="ignore"):
        values = dim.from_unit(np.array([0.0, 0.5, 1.0]))
    assert all(math.isfinite(v) and -1e308 <= v <= 1e308 for v in values), values


def test_real_with_a_log_range_too_narrow_to_search_is_refused():
    high = float(np.nextafter(1e12, np.inf))  # low < high, but log(low) == log(high)
    with pytest.raises(ValueError, match="holds only 2 floats"):
        Real(1e12, high, log=True)


def test_to_unit_rejects_values_outside_the_dimension():
    with pytest.raises(ValueError):
        Real(0, 1).to_unit([1.5])
    with pytest.raises(ValueError):
        Real(0, 1).to_unit([True])
    with pytest.raises(ValueError):
        Integer(0, 5).to_unit([6])
    with pytest.raises(ValueError):
        Integer(0, 5).to_unit([2.0])  # a float is not an integer choice
    with pytest.raises(ValueError):
        Categorical(["a", "b"]).to_unit(["c"])
    assert Integer(0, 5).contains(np.int64(3))
    assert Real(0, 1).contains(np.float64(0.5))


def test_a_numpy_scalar_is_the_same_choice_as_its_python_value():
    # Lists built with numpy hold numpy scalars; a user's own value of the same number
    # (initial_params, a best_params from elsewhere) names the same choice.
    from skhpo._inputs import encode_initial

    space = SearchSpace({"C": list(np.linspace(0, 1, 5)), "k": list(np.arange(1, 4))})
    X, _ = encode_initial(space, [{"C": 0.5, "k": 2}])
    assert space.decode(X) == [{"C": 0.5, "k": 2}]
    pair = Categorical([1.0, 2.0])
    assert pair.to_unit([np.float64(2.0)]) == pair.to_unit([2.0])
    # 1, 1.0 and True stay three choices, with numpy's kinds too.
    assert Categorical([1, 1.0, True]).n_levels == 3
    with pytest.raises(ValueError, match="appears twice"):
        Categorical([np.float64(0.5), 0.5])
    with pytest.raises(ValueError):
        Categorical([1, 2]).to_unit([np.float64(1.0)])


def test_numbers_that_are_one_number_as_floats_are_unordered_choices():
    # max_features=[1, 0.5, 1.0]: one feature, half, all of them, as GridSearchCV takes it.
    space = SearchSpace({"max_features": [1, 0.5, 1.0]})
    dimension = space.columns[0].dimension
    assert isinstance(dimension, Categorical) and dimension.choices == (1, 0.5, 1.0)
    assert [p["max_features"] for p in space.decode(space.encode(
        [{"max_features": 1}, {"max_features": 1.0}]
    ))] == [1, 1.0]  # fmt: skip
    assert type(space.decode(space.encode([{"max_features": 1.0}]))[0]["max_features"]) is float
    assert isinstance(SearchSpace({"C": [0.1, 1, 10]}).columns[0].dimension, Ordinal)
    with pytest.raises(ValueError, match="Categorical"):
        Ordinal([1, 0.5, 1.0])


def test_a_range_is_a_list_of_choices_as_in_grid_search():
    # {"n_neighbors": range(1, 31)}, as scikit-learn's examples write it.
    space = SearchSpace({"k": range(1, 31, 3)})
    assert space.columns[0].dimension == Ordinal(list(range(1, 31, 3)))
    assert Categorical(range(3)).choices == (0, 1, 2)
    with pytest.raises(TypeError, match="list, tuple, range"):
        SearchSpace({"k": {1, 2}})


def test_dimensions_compare_by_value_and_are_immutable():
    assert Real(0, 1) == Real(0.0, 1.0)
    assert hash(Real(0, 1)) == hash(Real(0.0, 1.0))
    assert Real(1, 2) != Real(1, 2, log=True)
    assert Real(0, 1) != Integer(0, 1)
    assert Integer(1, 5) == Integer(1, 5)
    assert Categorical(["a", None]) == Categorical(["a", None])
    assert Categorical(["a", None]) != Categorical([None, "a"])
    assert Ordinal([3, 1]) == Ordinal([1, 3])
    with pytest.raises(AttributeError):
        Real(0, 1).low = 0.5
    with pytest.raises(AttributeError):
        Categorical(["a"]).choices = ("b",)


def test_size_of_dimensions():
    assert Real(0, 1).size == math.inf
    assert Integer(-2, 2).size == 5
    assert Categorical(["a", "b", "c"]).size == 3
    assert Distribution(stats.norm(0, 1)).size == math.inf


# ---------------------------------------------------------------------------------------
# invalid input
# ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "make, exc, match",
    [
        (lambda: Real(1.0, 1.0), ValueError, "low"),
        (lambda: Real(2.0, 1.0), ValueError, "low"),
        (lambda: Integer(5, 5), ValueError, "low"),
        (lambda: Integer(5, 1), ValueError, "low"),
        (lambda: Real(0.0, 1.0, log=True), ValueError, "log"),
        (lambda: Real(-1.0, 1.0, log=True), ValueError, "log"),
        (lambda: Integer(0, 10, log=True), ValueError, "log"),
        (lambda: Real(1, 2, log="yes"), TypeError, "log"),
        (lambda: Real("0", 1), TypeError, "low"),
        (lambda: Real(0, "1"), TypeError, "high"),
        (lambda: Real(None, 1), TypeError, "low"),
        (lambda: Integer(0.5, 3), TypeError, "low"),
        (lambda: Integer(0, 3.0), TypeError, "high"),
        (lambda: Real(True, 2), TypeError, "low"),
        (lambda: Real(0, np.True_), TypeError, "high"),
        (lambda: Integer(False, 3), TypeError, "low"),
        (lambda: Real(-np.inf, 0), ValueError, "low"),
        (lambda: Real(0, np.inf), ValueError, "high"),
        (lambda: Real(np.nan, 1), ValueError, "low"),
        (lambda: Real(0, 10**400), (ValueError, TypeError), "high"),
        (lambda: Categorical([]), ValueError, "empty"),
        (lambda: Categorical(np.array([])), ValueError, "empty"),
        (lambda: Categorical(["a", "b", "a"]), ValueError, "distinct"),
        (lambda: Categorical([SVC(C=1.0), SVC(C=1.0)]), ValueError, "distinct"),
        (lambda: Categorical(np.zeros((2, 2))), ValueError, "one-dimensional"),
        (lambda: Categorical("abc"), TypeError, "choices"),
        (lambda: Categorical({"a", "b"}), TypeError, "choices"),
        (lambda: Ordinal([1, 1.0]), ValueError, "distinct"),
        (lambda: Ordinal([1, "a"]), TypeError, "real numbers"),
        (lambda: Ordinal([1.0, float("nan")]), TypeError, "real numbers"),
        (lambda: Distribution(object()), TypeError, "rvs"),
    ],
)
def test_invalid_dimensions_raise_naming_the_argument(make, exc, match):
    with pytest.raises(exc, match=match):
        make()


@pytest.mark.parametrize(
    "value, exc, match",
    [
        (1.0, TypeError, "must be a list"),
        ("rbf", TypeError, "must be a list"),
        (None, TypeError, "must be a list"),
        ({"a": 1}, TypeError, "must be a list"),
        (np.array(5), ValueError, "one-dimensional"),
        (np.zeros((2, 3)), ValueError, "one-dimensional"),
        ([], ValueError, "empty"),
        ([1, 2, 1], ValueError, "distinct"),
        (["a", "a"], ValueError, "distinct"),
        ((50, 50), ValueError, r"wrap it in a list"),
        (Real, TypeError, "must be a list"),  # a class, not a dimension
        (stats.uniform(0, 0), ValueError, None),
    ],
)
def test_invalid_param_distributions_value_names_the_parameter(value, exc, match):
    with pytest.raises(exc, match=match) as info:
        SearchSpace({"C": value})
    assert "'C'" in str(info.value)
    with pytest.raises(exc) as info:
        SearchSpace([{"kernel": ["rbf"]}, {"C": value}])
    assert "param_distributions[1]['C']" in str(info.value)


@pytest.mark.parametrize(
    "param_distributions, exc, match",
    [
        ([], ValueError, "empty"),
        ((), ValueError, "empty"),
        ([{"a": [1]}, "b"], TypeError, r"param_distributions\[1\] must be a dict"),
        ([{"a": [1]}, [("a", [1])]], TypeError, r"param_distributions\[1\] must be a dict"),
        ({1: [1, 2]}, TypeError, "names must be str"),
        ([{"a": [1]}, {("a",): [1]}], TypeError, "names must be str"),
        ("abc", TypeError, "dict or a list of dicts"),
        (None, TypeError, "dict or a list of dicts"),
    ],
)
def test_invalid_param_distributions(param_distributions, exc, match):
    with pytest.raises(exc, match=match):
        SearchSpace(param_distributions)


def test_as_dimension_names_where_in_errors():
    with pytest.raises(ValueError, match=r"^somewhere: .*empty"):
        as_dimension([], "somewhere")
    with pytest.raises(TypeError, match=r"^somewhere: "):
        as_dimension(3, "somewhere")


# ---------------------------------------------------------------------------------------
# Categorical / Ordinal
# ---------------------------------------------------------------------------------------


def test_values_are_returned_exactly_as_given():
    choices = [(50, 50), (100,), None, "rbf", True, False, 1, 2.5]
    space = SearchSpace({"v": choices})
    dim = space.columns[0].dimension
    assert isinstance(dim, Categorical) and not dim.ordered
    for choice in choices:
        (back,) = space.decode(space.encode([{"v": choice}]))
        assert type(back["v"]) is type(choice)
        assert back["v"] == choice
    # 1 and True, 1 and 1.0 are distinct choices.
    rows = space.encode([{"v": True}, {"v": 1}])
    assert not np.array_equal(rows[0], rows[1])
    with pytest.raises(ValueError):
        space.encode([{"v": 1.0}])


def test_numpy_string_arrays_decode_to_python_str():
    space = SearchSpace({"kernel": np.array(["rbf", "poly", "linear"])})
    values = [d["kernel"] for d in space.decode(space.sample(30, np.random.default_rng(0)))]
    assert {type(v) for v in values} == {str}
    assert set(values) == {"rbf", "poly", "linear"}
    dim = Categorical(np.array(["a", "b"]))
    assert all(type(c) is str for c in dim.choices)
    assert all(type(v) is str for v in dim.from_unit(np.array([0.1, 0.9])))


def test_numpy_number_arrays_decode_to_python_numbers():
    dim = as_dimension(np.array([30, 1, 10, 3]), "n")
    assert isinstance(dim, Ordinal) and dim.ordered
    assert dim.choices == (1, 3, 10, 30)
    values = dim.from_unit(np.linspace(0, 1, 9))
    assert {type(v) for v in values} == {int}
    fdim = as_dimension(np.array([0.5, 0.1]), "x")
    assert isinstance(fdim, Ordinal)
    assert {type(v) for v in fdim.from_unit(np.array([0.0, 1.0]))} == {float}
    bdim = as_dimension(np.array([True, False]), "b")
    assert isinstance(bdim, Categorical)
    assert {type(v) for v in bdim.from_unit(np.array([0.0, 1.0]))} == {bool}


def test_numbers_from_a_list_become_a_sorted_ordinal_keeping_types():
    dim = as_dimension([10, 0.5, 1, 3], "x")
    assert isinstance(dim, Ordinal)
    assert dim.ordered
    assert dim.choices == (0.5, 1, 3, 10)
    values = dim.from_unit(dim.unit_of_level(np.arange(4)))
    assert values == [0.5, 1, 3, 10]
    assert [type(v) for v in values] == [float, int, int, int]
    assert isinstance(as_dimension((1, 2), "x"), Ordinal)
    # Any non-number makes it unordered, order kept.
    mixed = as_dimension([10, "auto", 1], "x")
    assert isinstance(mixed, Categorical) and not mixed.ordered
    assert mixed.choices == (10, "auto", 1)
    assert isinstance(as_dimension([True, False], "x"), Categorical)
    assert isinstance(as_dimension([1.0, float("nan")], "x"), Categorical)


def test_estimator_choices_are_cloned_on_every_decode():
    choices = [LogisticRegression(C=2.0), DecisionTreeClassifier(max_depth=3)]
    space = SearchSpace({"est": choices})
    assert isinstance(space.columns[0].dimension, Categorical)
    X = space.sample(20, np.random.default_rng(0))
    first, second = space.decode(X), space.decode(X)
    seen = set()
    for a, b in zip(first, second):
        est_a, est_b = a["est"], b["est"]
        original = next(c for c in choices if type(c) is type(est_a))
        assert est_a is not original and est_b is not original
        assert est_a is not est_b
        assert type(est_b) is type(est_a)
        assert est_a.get_params() == original.get_params()
        assert est_b.get_params() == original.get_params()
        seen.add(id(est_a))
        seen.add(id(est_b))
    assert len(seen) == 2 * len(X)
    # The choices themselves are untouched and an equal fresh estimator encodes.
    assert choices[0].C == 2.0
    row = space.encode([{"est": LogisticRegression(C=2.0)}])
    assert type(space.decode(row)[0]["est"]) is LogisticRegression
    with pytest.raises(ValueError):
        space.encode([{"est": LogisticRegression(C=3.0)}])


def test_uniform_sample_over_categorical_hits_every_level_uniformly():
    choices = ["a", "b", None, (1, 2), "e"]
    space = SearchSpace({"c": choices})
    n = 5000
    values = [d["c"] for d in space.decode(space.sample(n, np.random.default_rng(1)))]
    for choice in choices:
        frac = sum(1 for v in values if v == choice) / n
        assert abs(frac - 0.2) < 0.03, (choice, frac)


def test_uniform_sample_over_integer_hits_every_level_uniformly():
    space = SearchSpace({"n": Integer(-2, 2)})
    values = np.array([d["n"] for d in space.decode(space.sample(5000, np.random.default_rng(2)))])
    counts = np.array([(values == v).sum() for v in range(-2, 3)])
    assert counts.sum() == 5000
    assert np.all(np.abs(counts / 5000 - 0.2) < 0.03), counts


# ---------------------------------------------------------------------------------------
# scipy distributions
# ---------------------------------------------------------------------------------------


def test_loguniform_becomes_a_log_real():
    for dist in (stats.loguniform(1e-3, 1e3), stats.reciprocal(1e-3, 1e3)):
        dim = as_dimension(dist, "C")
        assert type(dim) is Real and dim.log
        assert dim.low == pytest.approx(1e-3) and dim.high == pytest.approx(1e3)
    scaled = as_dimension(stats.loguniform(1, 100, scale=2), "C")
    assert type(scaled) is Real and scaled.log
    assert (scaled.low, scaled.high) == pytest.approx((2, 200))


@pytest.mark.parametrize(
    "dist",
    [stats.loguniform(1, 100, loc=5), stats.loguniform(1e-10, 1e-8, loc=1e-8)],
    ids=["loc=5", "small-scale-loc=1e-8"],
)
def test_shifted_loguniform_is_not_a_log_real(dist):
    dim = as_dimension(dist, "C")
    assert not (isinstance(dim, Real) and dim.log), dim
    # Whatever it becomes, it decodes to values of the shifted distribution.
    values = np.array(dim.from_unit(np.linspace(0.01, 0.99, 5)))
    assert np.allclose(values, dist.ppf(np.linspace(0.01, 0.99, 5)), rtol=1e-6)


def test_uniform_and_randint_conversions():
    dim = as_dimension(stats.uniform(2, 3), "x")
    assert type(dim) is Real and not dim.log
    assert (dim.low, dim.high) == (2.0, 5.0)
    assert type(dim.low) is float
    idim = as_dimension(stats.randint(0, 10), "n")
    assert idim == Integer(0, 9)
    assert type(idim.low) is int and type(idim.high) is int
    shifted = as_dimension(stats.randint(0, 10, loc=5), "n")
    assert shifted == Integer(5, 14)
    single = as_dimension(stats.randint(3, 4), "n")
    assert single.size == 1
    values = single.from_unit(np.array([0.0, 0.3, 1.0]))
    assert values == [3, 3, 3] and {type(v) for v in values} == {int}
    space = SearchSpace({"n": stats.randint(3, 4)})
    assert space.size == 1
    assert space.decode(space.enumerate()) == [{"n": 3}]


def test_dimensions_pass_through_as_dimension():
    for dim in (Real(0, 1), Integer(1, 3), Categorical(["a"]), Ordinal([1, 2])):
        assert as_dimension(dim, "x") is dim


def test_normal_distribution_round_trips_and_decodes_floats():
    dim = as_dimension(stats.norm(0, 1), "x")
    assert type(dim) is ContinuousDistribution and isinstance(dim, Distribution)
    assert not dim.sample_only and not dim.discrete and dim.ordered
    xs = [float(x) for x in np.linspace(-5, 5, 41)]
    back = dim.from_unit(dim.to_unit(xs))
    assert {type(v) for v in back} == {float}
    assert np.allclose(back, xs, rtol=1e-9, atol=1e-9)
    # A uniform draw in the unit interval is a draw from the distribution.
    space = SearchSpace({"x": stats.norm(0, 1)})
    sample = np.array([d["x"] for d in space.decode(space.sample(4000, np.random.default_rng(3)))])
    assert abs(sample.mean()) < 0.1 and abs(sample.std() - 1) < 0.1
    assert stats.kstest(sample, "norm").pvalue > 1e-3
    with pytest.raises(ValueError):
        dim.to_unit(["a"])


def test_poisson_distribution_round_trips_and_decodes_ints():
    dim = Distribution(stats.poisson(3))  # param_distributions makes it a DiscreteDistribution
    assert dim.discrete and not dim.sample_only
    ks = list(range(0, 15))
    back = dim.from_unit(dim.to_unit(ks))
    assert back == ks
    assert {type(v) for v in back} == {int}
    u = np.random.default_rng(4).random(200)
    s = dim.snap(u)
    assert_rows_equal(dim.snap(s), s)
    assert dim.from_unit(s) == dim.from_unit(u)
    codes, values = dim.codes(u), dim.from_unit(u)
    for i, j in itertools.combinations(range(50), 2):
        assert (codes[i] == codes[j]) == (values[i] == values[j])
    assert not dim.contains(2.5)
    assert not dim.contains(-1)
    with pytest.raises(ValueError):
        dim.to_unit([2.5])


@pytest.mark.parametrize(
    "dist, value", [(stats.norm(0, 1), 10.0), (stats.poisson(3), 25)], ids=["norm", "poisson"]
)
def test_distribution_encode_keeps_every_contained_value(dist, value):
    dim = Distribution(dist)
    # Values further in the tails than the representable quantiles are refused ...
    assert not dim.contains(value)
    with pytest.raises(ValueError):
        dim.to_unit([value])
    # ... and every value it contains survives the round trip.
    grid = np.linspace(dist.ppf(1e-11), dist.ppf(1 - 1e-11), 41)
    if dim.discrete:
        grid = sorted({int(v) for v in grid})
    inside = [v for v in grid if dim.contains(v)]
    assert len(inside) > 5
    np.testing.assert_allclose(dim.from_unit(dim.to_unit(inside)), inside, rtol=1e-6)


def test_other_scipy_distributions_become_distributions():
    for dist in (stats.expon(scale=2), stats.beta(2, 3), stats.geom(1e-6)):
        dim = as_dimension(dist, "x")
        assert isinstance(dim, Distribution) and not dim.sample_only
        values = dim.from_unit(np.linspace(0, 1, 7))
        low, high = dist.support()
        assert all(low <= v <= high for v in values)


def test_distribution_builds_the_class_of_its_mode():
    # One class per mode, built by Distribution(...) from the scipy object.
    cases = [
        (stats.norm(0, 1), ContinuousDistribution, Kind.CONTINUOUS),
        (stats.poisson(3), IntegerDistribution, Kind.ORDERED_DISCRETE),
        (RvsOnly(), SampleOnlyDistribution, Kind.SAMPLE_ONLY),
    ]
    for dist, cls, kind in cases:
        dim = Distribution(dist)
        assert type(dim) is cls and isinstance(dim, Distribution)
        assert dim.kind is kind
        assert repr(dim).startswith("Distribution(")
        assert dim == cls(dist)
        copy = pickle.loads(pickle.dumps(dim))  # checkpoints pickle spaces
        assert type(copy) is cls and copy.kind is kind
    assert as_dimension(stats.geom(1e-6), "x").kind is Kind.ORDERED_DISCRETE
    with pytest.raises(TypeError, match="rvs"):
        Distribution(object())


def test_kind_is_decided_by_the_dimension():
    kinds = {
        Real(0, 1): Kind.CONTINUOUS,
        Distribution(stats.norm(0, 1)): Kind.CONTINUOUS,
        Integer(1, 5): Kind.ORDERED_DISCRETE,
        Ordinal([1, 3, 10]): Kind.ORDERED_DISCRETE,
        DiscreteDistribution(stats.poisson(3)): Kind.ORDERED_DISCRETE,
        Distribution(stats.geom(1e-6)): Kind.ORDERED_DISCRETE,
        Categorical(["a", "b"]): Kind.CATEGORICAL,
        Distribution(RvsOnly()): Kind.SAMPLE_ONLY,
    }
    for dim, kind in kinds.items():
        assert dim.kind is kind, dim
    space = SearchSpace({f"p{i}": dim for i, dim in enumerate(kinds)})
    assert space.columns_of(Kind.ORDERED_DISCRETE).tolist() == [2, 3, 4, 5]
    assert space.columns_of(Kind.CONTINUOUS, Kind.SAMPLE_ONLY).tolist() == [0, 1, 7]
    assert space.columns_of(Kind.CATEGORICAL).tolist() == [6]


def test_cell_width_of_discrete_kinds():
    np.testing.assert_allclose(Integer(1, 4).cell_width(np.array([0.1, 0.9])), [0.25, 0.25])
    dist = stats.geom(1e-6)
    dim = Distribution(dist)
    u = dim.to_unit([10, 500_000])
    np.testing.assert_allclose(dim.cell_width(u), dist.pmf([10, 500_000]), rtol=1e-6)
    start, end = dim.cell(u)
    assert np.all((start < u) & (u < end))
    with pytest.raises(TypeError, match="no cells"):
        Real(0, 1).cell_width(np.array([0.5]))


def test_sample_only_object_decodes_deterministically():
    dim = as_dimension(RvsOnly(), "x")
    assert type(dim) is SampleOnlyDistribution and dim.sample_only
    u = np.array([0.3, 0.3, 0.7, 0.123456])
    first = dim.from_unit(u)
    assert first == dim.from_unit(u)
    assert first[0] == first[1]
    assert len({first[0], first[2], first[3]}) == 3
    assert all(type(v) is float for v in first)
    codes = dim.codes(u)
    assert codes[0] == codes[1] and codes[0] != codes[2]
    space = SearchSpace({"x": RvsOnly(), "k": ["a", "b"]})
    X = space.sample(10, np.random.default_rng(5))
    assert space.decode(X) == space.decode(X.copy())
    with pytest.raises(ValueError):
        space.encode([{"x": 0.5, "k": "a"}])


# ---------------------------------------------------------------------------------------
# SearchSpace: sub-spaces, columns, encode / decode
# ---------------------------------------------------------------------------------------


def _svm_space():
    return SearchSpace(
        [
            {"kernel": ["linear"], "C": stats.loguniform(1e-3, 1e3)},
            {
                "kernel": ["rbf"],
                "gamma": stats.loguniform(1e-4, 1e-1),
                "C": Real(1e-3, 1e3, log=True),
            },
        ]
    )


def test_single_dict_has_no_subspace_column():
    space = SearchSpace({"b": Real(0, 1), "a": ["x", "y"]})
    assert not space.has_subspace_column
    assert space.n_columns == 2
    assert [c.name for c in space.columns] == ["b", "a"]
    assert space.names == ["b", "a"]
    X = space.sample(5, np.random.default_rng(0))
    assert not np.isnan(X).any()
    assert_rows_equal(space.subspace_index(X), np.zeros(5, dtype=int))
    assert [list(d) for d in space.decode(X)] == [["b", "a"]] * 5


def test_list_of_dicts_columns_and_shared_columns():
    space = _svm_space()
    assert space.has_subspace_column
    sub_col = space.columns[0]
    assert sub_col.name is None and sub_col.dimension.n_levels == 2
    assert sub_col.subspaces == (0, 1)
    by_name = {}
    for c in space.columns[1:]:
        by_name.setdefault(c.name, []).append(c)
    # Equal dimensions for C (loguniform == Real log): one shared column.
    assert len(by_name["C"]) == 1 and by_name["C"][0].subspaces == (0, 1)
    # Different dimensions for kernel: one column each.
    assert [c.subspaces for c in by_name["kernel"]] == [(0,), (1,)]
    assert by_name["gamma"][0].subspaces == (1,)
    assert space.n_columns == 5
    assert space.names == ["kernel", "C", "gamma"]


def test_separate_columns_when_dimensions_differ():
    space = SearchSpace([{"C": Real(0, 1)}, {"C": Real(0, 2)}])
    assert [c.name for c in space.columns] == [None, "C", "C"]
    X = space.encode([{"C": 1.5}])
    (back,) = space.decode(X)
    assert back["C"] == pytest.approx(1.5)
    assert np.isnan(X[0, 1]) and not np.isnan(X[0, 2])
    same = SearchSpace([{"C": [1, 10], "k": ["a"]}, {"C": [10, 1], "k": ["b"]}])
    assert [c.name for c in same.columns].count("C") == 1


def test_canonical_puts_nan_in_inactive_columns():
    space = _svm_space()
    X = np.random.default_rng(0).random((200, space.n_columns))
    C = space.canonical(X)
    sub = space.subspace_index(C)
    assert set(sub) == {0, 1}
    assert_rows_equal(space.subspace_index(X), sub)
    active = space.active(C)
    assert_rows_equal(np.isnan(C), ~active)
    for j, column in enumerate(space.columns):
        for s in (0, 1):
            assert active[sub == s, j].all() == (s in column.subspaces)
            assert (~active[sub == s, j]).all() == (s not in column.subspaces)
    assert_rows_equal(space.canonical(C), C)
    # The input is not modified.
    assert not np.isnan(X).any()


def test_canonical_nan_in_active_column_needs_rng():
    space = SearchSpace({"a": Real(0, 1), "b": [1, 2]})
    X = np.array([[np.nan, 0.2]])
    with pytest.raises(ValueError, match="'a'"):
        space.canonical(X)
    filled = space.canonical(X, np.random.default_rng(0))
    assert not np.isnan(filled).any()
    assert filled[0, 1] == space.canonical(np.array([[0.5, 0.2]]))[0, 1]
    with pytest.raises(ValueError):
        space.canonical(np.zeros((2, 3)))


def test_decode_gives_the_subspace_keys_in_user_order():
    space = SearchSpace(
        [
            {"kernel": ["linear"], "C": [1, 10]},
            {"gamma": [0.1, 1.0], "C": [1, 10], "kernel": ["rbf"]},
        ]
    )
    dicts = space.decode(space.sample(50, np.random.default_rng(0)))
    orders = {tuple(d) for d in dicts}
    assert orders == {("kernel", "C"), ("gamma", "C", "kernel")}
    for d in dicts:
        if d["kernel"] == "linear":
            assert list(d) == ["kernel", "C"]
        else:
            assert list(d) == ["gamma", "C", "kernel"]


def test_encode_decode_roundtrip_in_subspaces():
    space = _svm_space()
    params = [{"kernel": "linear", "C": 0.5}, {"kernel": "rbf", "gamma": 0.01, "C": 100.0}]
    X = space.encode(params)
    assert X.shape == (2, space.n_columns)
    assert_canonical(space, X)
    assert_rows_equal(space.subspace_index(X), [0, 1])
    back = space.decode(X)
    for p, b in zip(params, back):
        assert list(b) == list(p)
        for k in p:
            if isinstance(p[k], str):
                assert b[k] == p[k]
            else:
                assert b[k] == pytest.approx(p[k], rel=1e-12)
    assert space.encode([]).shape == (0, space.n_columns)


@pytest.mark.parametrize(
    "candidate, match",
    [
        ({"kernel": "poly", "C": 1.0}, "'poly'"),
        ({"kernel": "linear"}, r"missing \['C'\]"),
        ({"kernel": "linear", "C": 1.0, "degree": 3}, r"unknown \['degree'\]"),
        ({"kernel": "linear", "C": 1e6}, "1000000.0"),
        ({"kernel": "rbf", "C": 1.0, "gamma": "auto"}, "'auto'"),
        ({}, "missing"),
    ],
)
def test_encode_rejects_dicts_that_fit_no_subspace(candidate, match):
    space = _svm_space()
    with pytest.raises(ValueError, match="not in the search space") as info:
        space.encode([candidate])
    assert info.match(match)


def test_encode_rejects_non_dicts():
    space = _svm_space()
    with pytest.raises(TypeError, match="candidate 1"):
        space.encode([{"kernel": "linear", "C": 1.0}, ["kernel", "linear"]])


def test_size_is_sum_of_subspace_products():
    space = SearchSpace([{"a": [1, 2, 3]}, {"b": ["x", "y"], "c": Integer(0, 4)}])
    assert space.size == 3 + 2 * 5
    assert SearchSpace({"a": [1, 2], "b": ["x", "y", "z"], "c": [None]}).size == 6
    assert SearchSpace([{"a": [1, 2]}, {"b": Real(0, 1)}]).size == math.inf
    assert SearchSpace({"a": stats.poisson(1e6)}).size == math.inf
    # Only the values between the quantiles 1e-12 and 1 - 1e-12 are searched.
    assert SearchSpace({"a": stats.poisson(2)}).size == 19
    assert SearchSpace([{}, {"a": [1, 2]}]).size == 3


def test_enumerate_lists_every_candidate_once():
    grid = [
        {"kernel": ["linear"], "C": [1, 10]},
        {"kernel": ["rbf"], "C": [1, 10], "gamma": [0.1, 1, "scale"]},
    ]
    space = SearchSpace(grid)
    E = space.enumerate()
    assert E.shape == (space.size, space.n_columns) == (8, space.n_columns)
    assert_canonical(space, E)
    assert len(set(space.keys(E))) == 8
    decoded = space.decode(E)
    as_sets = [frozenset((k, repr(v)) for k, v in d.items()) for d in decoded]
    assert len(set(as_sets)) == 8
    expected = {frozenset((k, repr(v)) for k, v in d.items()) for d in ParameterGrid(grid)}
    assert set(as_sets) == expected


def test_enumerate_refuses_infinite_and_huge_spaces():
    with pytest.raises(ValueError, match="too many"):
        SearchSpace({"a": Real(0, 1)}).enumerate()
    with pytest.raises(ValueError, match="too many"):
        SearchSpace({"a": Integer(0, 999), "b": Integer(0, 999)}).enumerate()


def test_empty_dict_space():
    space = SearchSpace({})
    assert space.size == 1
    assert space.n_columns == 0
    assert space.enumerate().shape == (1, 0)
    assert space.decode(space.enumerate()) == [{}]
    rng = np.random.default_rng(0)
    assert space.decode(space.sample(1, rng)) == [{}]
    assert space.decode(space.design(3, rng)) == [{}, {}, {}]
    assert space.encode([{}]).shape == (1, 0)
    mixed = SearchSpace([{}, {"a": [1, 2]}])
    assert mixed.decode(mixed.enumerate()) == [{}, {"a": 1}, {"a": 2}]


def test_decode_and_keys_check_the_shape():
    space = _svm_space()
    for bad in (np.zeros((2, 4)), np.zeros(5)):
        with pytest.raises(ValueError, match="shape"):
            space.decode(bad)
        with pytest.raises(ValueError, match="shape"):
            space.keys(bad)


def test_keys_ignore_inactive_garbage_and_identify_same_candidates():
    space = SearchSpace([{"a": [1, 2], "k": ["x"]}, {"b": Real(0, 1), "k": ["y"]}])
    X = space.encode([{"a": 2, "k": "x"}])
    junk = X.copy()
    junk[0, np.isnan(junk[0])] = 0.77  # values in the other sub-space's columns
    jitter = X.copy()
    jitter[0, 1] += 0.1  # inside the same cell of "a" (cells of width 1/2)
    assert space.keys(junk) == space.keys(X) == space.keys(jitter)
    assert space.keys(space.encode([{"a": 1, "k": "x"}])) != space.keys(X)
    assert space.decode(junk) == space.decode(X) == [{"a": 2, "k": "x"}]


def test_isin_finds_the_same_candidate_whatever_its_inactive_columns_hold():
    space = SearchSpace([{"a": [1, 2], "k": ["x"]}, {"b": Real(0, 1), "k": ["y"]}])
    X = space.encode([{"a": 2, "k": "x"}, {"b": 0.5, "k": "y"}])
    junk = X.copy()
    junk[np.isnan(junk)] = 0.77
    other = space.encode([{"a": 1, "k": "x"}, {"b": 0.25, "k": "y"}])
    assert space.isin(np.vstack([junk, other]), X).tolist() == [True, True, False, False]
    assert space.isin(X, np.empty((0, space.n_columns))).tolist() == [False, False]
    with pytest.raises(ValueError, match="shape"):
        space.isin(X, np.zeros((1, space.n_columns + 1)))
    empty = SearchSpace({})  # one candidate, the estimator's defaults
    assert empty.isin(np.empty((2, 0)), np.empty((1, 0))).tolist() == [True, True]


def test_sample_avoiding_rows_draws_distinct_new_candidates():
    space = SearchSpace({"a": Integer(1, 10), "b": ["x", "y"]})  # twenty candidates
    taken = space.encode([{"a": a, "b": "x"} for a in range(1, 9)])
    for seed in range(5):
        X = space.sample(6, np.random.default_rng(seed), avoid=taken)
        assert not space.isin(X, taken).any()
        assert len(set(space.keys(X))) == 6  # and each once
    # Exhausted: as many rows as asked, the repeats left to the caller.
    assert space.sample(15, np.random.default_rng(0), avoid=taken).shape == (15, 2)
    # Without avoid, a plain uniform draw (repeats allowed).
    assert len(set(space.keys(space.sample(100, np.random.default_rng(0))))) == 20


def test_keys_of_signed_zero_are_the_same_candidate():
    space = SearchSpace({"x": Real(0, 1)})
    pos = space.canonical(np.array([[0.0]]))
    neg = space.canonical(np.array([[-0.0]]))
    assert space.decode(pos) == space.decode(neg)
    assert space.keys(pos) == space.keys(neg)


# ---------------------------------------------------------------------------------------
# sample / design / determinism
# ---------------------------------------------------------------------------------------


def _mixed_space():
    return SearchSpace(
        [
            {"kind": ["a"], "x": Real(-3, 7), "n": Integer(1, 50, log=True)},
            {"kind": ["b"], "x": Real(-3, 7), "c": [None, "p", (1, 2)], "o": [1, 3, 10]},
        ]
    )


def test_sample_rows_are_canonical_and_decode_in_bounds():
    space = _mixed_space()
    X = space.sample(300, np.random.default_rng(0))
    assert X.shape == (300, space.n_columns)
    assert_canonical(space, X)
    for d in space.decode(X):
        assert -3 <= d["x"] <= 7
        if d["kind"] == "a":
            assert 1 <= d["n"] <= 50 and type(d["n"]) is int
        else:
            assert d["c"] in (None, "p", (1, 2)) and d["o"] in (1, 3, 10)
    assert set(space.subspace_index(X)) == {0, 1}


def test_sample_and_design_are_deterministic():
    space = _mixed_space()
    for method in (space.sample, space.design):
        a = method(40, np.random.default_rng(123))
        b = method(40, np.random.default_rng(123))
        c = method(40, np.random.default_rng(124))
        assert_rows_equal(a, b)
        assert not np.array_equal(a, c, equal_nan=True)
        assert space.decode(a) == space.decode(b)


def test_design_is_stratified_in_every_column():
    space = SearchSpace(
        {"a": Real(0, 1), "b": Real(-5, 5), "c": Real(1e-3, 1e3, log=True), "d": Real(2, 3)}
    )
    for n in (1, 7, 32):
        X = space.design(n, np.random.default_rng(n))
        assert X.shape == (n, 4)
        assert_canonical(space, X)
        for j in range(4):
            bins = np.floor(X[:, j] * n).astype(int)
            assert sorted(bins) == list(range(n)), (n, j, bins)
    assert space.design(0, np.random.default_rng(0)).shape == (0, 4)


def test_design_over_discrete_choices_balances_levels():
    space = SearchSpace({"k": ["a", "b", "c", "d", "e"], "n": Integer(1, 5)})
    X = space.design(10, np.random.default_rng(0))
    decoded = space.decode(X)
    for name, levels in (("k", ["a", "b", "c", "d", "e"]), ("n", [1, 2, 3, 4, 5])):
        values = [d[name] for d in decoded]
        assert sorted(values) == sorted(levels * 2)


def test_design_with_subspaces_is_canonical():
    space = _mixed_space()
    X = space.design(24, np.random.default_rng(0))
    assert_canonical(space, X)
    # The sub-space column is stratified too: each sub-space gets half the rows.
    assert np.bincount(space.subspace_index(X)).tolist() == [12, 12]
    x_col = next(j for j, c in enumerate(space.columns) if c.name == "x")
    assert sorted(np.floor(X[:, x_col] * 24).astype(int)) == list(range(24))


# ---------------------------------------------------------------------------------------
# perturb / neighbours
# ---------------------------------------------------------------------------------------


def test_perturb_keeps_rows_canonical_and_changes_them():
    space = _mixed_space()
    rng = np.random.default_rng(0)
    X = space.sample(100, rng)
    Y = space.perturb(X, rng, scale=0.1, prob=1.0)
    assert Y.shape == X.shape
    assert_canonical(space, Y)
    assert space.keys(X) != space.keys(Y)
    # Real "x" is active in every row and always moves with prob=1.
    x_col = next(j for j, c in enumerate(space.columns) if c.name == "x")
    assert np.all(Y[:, x_col] != X[:, x_col])
    assert all(-3 <= d["x"] <= 7 for d in space.decode(Y))
    # The input is not modified, and prob=0 changes nothing.
    assert_rows_equal(X, space.sample(100, np.random.default_rng(0)))
    assert_rows_equal(space.perturb(X, rng, prob=0.0), X)


def test_perturb_small_scale_stays_close():
    space = SearchSpace({"x": Real(0, 1), "y": Real(0, 1)})
    rng = np.random.default_rng(1)
    X = np.full((500, 2), 0.5)
    Y = space.perturb(X, rng, scale=0.01, prob=1.0)
    assert np.all(Y != X)
    assert np.abs(Y - X).max() < 0.1
    assert 0.005 < np.abs(Y - X).mean() < 0.015


def test_perturb_reflects_at_the_bounds():
    space = SearchSpace({"x": Real(0, 1)})
    rng = np.random.default_rng(2)
    X = np.zeros((500, 1))
    Y = space.perturb(X, rng, scale=0.3, prob=1.0)
    assert np.all((Y > 0) & (Y <= 1))


def test_perturb_changes_every_row_of_a_single_ordered_discrete_column():
    # With prob=1, ordered discrete values move by at least one level.
    rng = np.random.default_rng(0)
    for dim, value in ((Integer(0, 9), 5), (Integer(0, 9), 0), (Integer(1, 1000, log=True), 1)):
        space = SearchSpace({"n": dim})
        X = space.encode([{"n": value}] * 200)
        Y = space.perturb(X, rng, scale=0.1, prob=1.0)
        assert_canonical(space, Y)
        unchanged = sum(d["n"] == value for d in space.decode(Y))
        assert unchanged == 0, f"{dim} at {value}: {unchanged}/200 rows unchanged"


def test_perturb_unordered_switches_with_probability_prob():
    space = SearchSpace({"c": ["a", "b", "c", "d"]})
    rng = np.random.default_rng(3)
    X = space.encode([{"c": "a"}] * 2000)
    Y = space.perturb(X, rng, scale=0.9, prob=0.25)
    values = [d["c"] for d in space.decode(Y)]
    switched = sum(v != "a" for v in values) / 2000
    assert abs(switched - 0.25) < 0.04
    assert {"b", "c", "d"} <= set(values)


def test_perturb_subspace_switch_fills_new_columns():
    space = _mixed_space()
    rng = np.random.default_rng(4)
    X = space.encode([{"kind": "a", "x": 1.0, "n": 5}] * 300)
    Y = space.perturb(X, rng, scale=0.1, prob=0.5)
    assert_canonical(space, Y)
    counts = np.bincount(space.subspace_index(Y), minlength=2)
    assert 100 < counts[1] < 200  # switched with probability prob
    switched = space.decode(Y[space.subspace_index(Y) == 1])
    assert all(set(d) == {"kind", "x", "c", "o"} for d in switched)


def test_neighbours_differ_in_exactly_that_column():
    space = SearchSpace(
        {"r": Real(0, 1), "i": Integer(0, 9), "o": [1, 3, 10, 30], "c": ["a", "b", "c", "d"]}
    )
    x = space.encode([{"r": 0.5, "i": 5, "o": 10, "c": "b"}])[0]
    expected = {
        "r": [pytest.approx(0.4), pytest.approx(0.6)],
        "i": [4, 6],
        "o": [3, 30],
        "c": ["a", "c", "d"],  # unordered: every other choice
    }
    for j, column in enumerate(space.columns):
        N = space.neighbours(x, j, step=0.1)
        m = len(expected[column.name])
        assert N.shape == (m, 4)
        assert_canonical(space, N)
        others = [k for k in range(4) if k != j]
        assert_rows_equal(N[:, others], np.repeat(x[None, others], m, axis=0))
        assert np.all(N[:, j] != x[j])
        values = [d[column.name] for d in space.decode(N)]
        assert sorted(values, key=str) == sorted(expected[column.name], key=str)


def test_neighbours_at_the_bounds_and_inactive_columns():
    space = SearchSpace(
        [{"k": ["a"], "i": Integer(0, 9), "r": Real(0, 1)}, {"k": ["b"], "c": ["x", "y", "z"]}]
    )
    x = space.encode([{"k": "a", "i": 0, "r": 1.0}])[0]
    cols = {c.name: j for j, c in enumerate(space.columns) if c.name != "k"}
    low = space.neighbours(x, cols["i"])
    assert [d["i"] for d in space.decode(low)] == [1]
    high = space.neighbours(x, cols["r"], step=0.25)
    assert [d["r"] for d in space.decode(high)] == [pytest.approx(0.75)]
    inactive = space.neighbours(x, cols["c"])
    assert inactive.shape == (0, space.n_columns)
    # The sub-space column: the other sub-space, canonical and fully filled.
    other = space.neighbours(x, 0)
    assert len(other) == 1
    assert_canonical(space, other)
    assert space.decode(other)[0]["k"] == "b"


def test_neighbours_of_a_discrete_distribution_differ_from_the_row():
    space = SearchSpace({"k": stats.poisson(3)})
    x = space.encode([{"k": 3}])[0]
    N = space.neighbours(x, 0)
    assert len(N) > 0
    assert all(d["k"] != 3 for d in space.decode(N)), space.decode(N)


def test_encode_can_leave_out_parameters_that_can_only_be_drawn():
    space = SearchSpace({"seed": RvsOnly(), "n": Integer(1, 30)})
    with pytest.raises(ValueError, match="missing"):
        space.encode([{"n": 3}])
    X = space.encode([{"n": 3}], draw_missing=True)
    decoded = space.decode(X)[0]
    assert decoded["n"] == 3
    assert decoded["seed"] == space.decode(X)[0]["seed"]  # one seeded draw, the same each time
    with pytest.raises(ValueError, match="missing"):  # only drawn parameters may be left out
        space.encode([{"seed": 1.0}], draw_missing=True)
