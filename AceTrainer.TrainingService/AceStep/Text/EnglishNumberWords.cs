using System.Globalization;
using System.Numerics;

namespace AceTrainer.AceStep.Text;

/// <summary>
/// English number words with the output of the Python <c>num2words</c> package (0.5.10 to 0.5.14, <c>lang="en"</c>),
/// which ACE-Step's lyric cleaner calls: "one hundred and five", "one thousand, two hundred and thirty-four",
/// ordinals ("twenty-first"), floats digit by digit after "point", and currency amounts.
/// Values at or above 10^306 throw <see cref="OverflowException"/>, as num2words does.
/// </summary>
public static class EnglishNumberWords
{
    private static readonly (BigInteger Value, string Word)[] Cards = BuildCards();
    private static readonly BigInteger MaxValue = 1000 * Cards[0].Value;

    private static readonly Dictionary<string, string> OrdinalWords = new(StringComparer.Ordinal)
    {
        ["one"] = "first", ["two"] = "second", ["three"] = "third", ["four"] = "fourth", ["five"] = "fifth",
        ["six"] = "sixth", ["seven"] = "seventh", ["eight"] = "eighth", ["nine"] = "ninth", ["ten"] = "tenth",
        ["eleven"] = "eleventh", ["twelve"] = "twelfth",
    };

    private static (BigInteger, string)[] BuildCards()
    {
        // Names of 10^6 .. 10^303 in num2words' order: "cent", then the Latin tens-and-units prefixes from the
        // highest down ("novemnonagint" .. "dec"), then the small ones ("non" .. "m"), each with "illion".
        string[] units = ["", "un", "duo", "tre", "quattuor", "quin", "sex", "sept", "octo", "novem"];
        string[] tens = ["dec", "vigint", "trigint", "quadragint", "quinquagint", "sexagint", "septuagint", "octogint", "nonagint"];
        string[] lows = ["non", "oct", "sept", "sext", "quint", "quadr", "tr", "b", "m"];
        var combined = tens.SelectMany(t => units.Select(u => u + t)).Reverse();
        var high = new[] { "cent" }.Concat(combined).Concat(lows).ToArray();

        var cards = new List<(BigInteger, string)>();
        var exponent = 3 + 3 * high.Length;
        foreach (var word in high)
        {
            cards.Add((BigInteger.Pow(10, exponent), word + "illion"));
            exponent -= 3;
        }
        cards.AddRange([(1000, "thousand"), (100, "hundred"), (90, "ninety"), (80, "eighty"), (70, "seventy"),
            (60, "sixty"), (50, "fifty"), (40, "forty"), (30, "thirty")]);
        string[] small = ["twenty", "nineteen", "eighteen", "seventeen", "sixteen", "fifteen", "fourteen", "thirteen",
            "twelve", "eleven", "ten", "nine", "eight", "seven", "six", "five", "four", "three", "two", "one", "zero"];
        for (var i = 0; i < small.Length; i++) cards.Add((20 - i, small[i]));
        return [.. cards];
    }

    public static string Cardinal(BigInteger value)
    {
        if (value < 0) throw new ArgumentOutOfRangeException(nameof(value), "negative numbers are not produced by the lyric cleaner");
        if (value >= MaxValue) throw new OverflowException($"abs({value}) must be less than {MaxValue}.");
        return Collapse(Split(value)) is Pair pair ? pair.Text : throw new InvalidOperationException("number split did not collapse");
    }

    public static string Ordinal(BigInteger value)
    {
        var words = Cardinal(value).Split(' ');
        var parts = words[^1].Split('-');
        var last = parts[^1];
        if (!OrdinalWords.TryGetValue(last, out var ordinal))
            ordinal = (last.EndsWith('y') ? last[..^1] + "ie" : last) + "th";
        parts[^1] = ordinal;
        words[^1] = string.Join('-', parts);
        return string.Join(' ', words);
    }

    /// <summary>num2words of a Python float: integral values as cardinals, others as "X point d d d".</summary>
    public static string Float(double value)
    {
        if (double.IsNaN(value) || double.IsInfinity(value)) throw new OverflowException("cannot convert float infinity to integer");
        if (Math.Truncate(value) == value) return CardinalOfIntegralFloat(value);

        var whole = Math.Truncate(value);
        var precision = DecimalPlacesOfShortestRepr(value);
        var post = Math.Abs(value - whole) * double.Parse("1e" + precision.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);
        var rounded = Math.Round(post, MidpointRounding.ToEven);
        var fraction = Math.Abs(rounded - post) < 0.01 ? new BigInteger(rounded) : new BigInteger(Math.Floor(post));
        var digits = fraction.ToString(CultureInfo.InvariantCulture).PadLeft(precision, '0');

        var words = new List<string> { Cardinal(new BigInteger(whole)), "point" };
        for (var i = 0; i < precision; i++) words.Add(Cardinal(digits[i] - '0'));
        return string.Join(' ', words);
    }

    // num2words keeps an integral float a float while splitting it: divmod in float arithmetic by float(card).
    // Below 2^53 that is exact and equals the integer path; above, the float rounding shows in the words.
    private static string CardinalOfIntegralFloat(double value)
    {
        var exact = new BigInteger(value);
        if (value < 9007199254740992.0) return Cardinal(exact);
        if (exact >= MaxValue) throw new OverflowException($"abs({value}) must be less than {MaxValue}.");
        return Collapse(SplitFloat(value)) is Pair pair ? pair.Text : throw new InvalidOperationException("number split did not collapse");
    }

    private static List<Node> SplitFloat(double value)
    {
        var exact = new BigInteger(value);
        foreach (var (card, word) in Cards)
        {
            if (card > exact) continue;
            var (quotient, remainder) = value == 0 ? (1.0, 0.0) : PythonFloatDivMod(value, double.Parse(card.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture));
            var items = new List<Node>();
            if (quotient == 1) items.Add(new Pair("one", 1));
            else items.Add(new Group(SplitFloat(quotient)));
            items.Add(new Pair(word, card));
            if (remainder != 0) items.Add(new Group(SplitFloat(remainder)));
            return items;
        }
        throw new InvalidOperationException($"no card for {value}");
    }

    // Python's float divmod (Objects/floatobject.c): fmod, then a floor division corrected for rounding.
    private static (double Quotient, double Remainder) PythonFloatDivMod(double x, double y)
    {
        var mod = x % y;
        var div = (x - mod) / y;
        if (mod != 0)
        {
            if (y < 0 != mod < 0)
            {
                mod += y;
                div -= 1.0;
            }
        }
        else mod = Math.CopySign(0.0, y);
        double floorDiv;
        if (div != 0)
        {
            floorDiv = Math.Floor(div);
            if (div - floorDiv > 0.5) floorDiv += 1.0;
        }
        else floorDiv = Math.CopySign(0.0, x / y);
        return (floorDiv, mod);
    }

    /// <summary>num2words(amount, to="currency", currency=...) for USD, GBP and EUR.</summary>
    public static string Currency(double amount, string currency)
    {
        var (major, minor) = currency switch
        {
            "USD" => (("dollar", "dollars"), ("cent", "cents")),
            "GBP" => (("pound sterling", "pounds sterling"), ("penny", "pence")),
            "EUR" => (("euro", "euro"), ("cent", "cents")),
            _ => throw new NotSupportedException($"currency {currency}"),
        };
        var (whole, cents) = CurrencyParts(amount);
        return $"{Cardinal(whole)} {(whole == 1 ? major.Item1 : major.Item2)}, {Cardinal(cents)} {(cents == 1 ? minor.Item1 : minor.Item2)}";
    }

    // Decimal(float).quantize(Decimal(".01"), ROUND_HALF_UP) on the exact binary value, with Python's default
    // 28-digit context (a longer result raises InvalidOperation there).
    private static (BigInteger Whole, BigInteger Cents) CurrencyParts(double amount)
    {
        if (double.IsNaN(amount) || double.IsInfinity(amount) || amount < 0) throw new OverflowException($"cannot quantize {amount}");
        var bits = BitConverter.DoubleToInt64Bits(amount);
        var exponent = (int)((bits >> 52) & 0x7FF);
        var mantissa = new BigInteger(bits & 0xFFFFFFFFFFFFFL);
        if (exponent == 0) exponent = 1; else mantissa += BigInteger.One << 52;
        exponent -= 1075;

        BigInteger hundredths;
        if (exponent >= 0) hundredths = (mantissa << exponent) * 100;
        else
        {
            var denominator = BigInteger.One << -exponent;
            hundredths = BigInteger.DivRem(mantissa * 100, denominator, out var remainder);
            if (remainder * 2 >= denominator) hundredths += 1;
        }
        if (hundredths >= BigInteger.Pow(10, 28)) throw new OverflowException($"{amount} has more than 28 digits at cent precision");
        return (hundredths / 100, hundredths % 100);
    }

    // abs(Decimal(repr(value)).as_tuple().exponent) for a non-integral float: digits after the point of its shortest repr.
    private static int DecimalPlacesOfShortestRepr(double value)
    {
        var repr = Math.Abs(value).ToString("R", CultureInfo.InvariantCulture);
        var e = repr.IndexOfAny(['E', 'e']);
        var exponent = e >= 0 ? int.Parse(repr[(e + 1)..], CultureInfo.InvariantCulture) : 0;
        var mantissa = e >= 0 ? repr[..e] : repr;
        var point = mantissa.IndexOf('.', StringComparison.Ordinal);
        var fractionDigits = point >= 0 ? mantissa.Length - point - 1 : 0;
        return Math.Abs(exponent - fractionDigits);
    }

    // num2words' splitnum/clean/merge: a number is split into nested (words, value) groups by the largest
    // card, then adjacent pairs are merged left to right with the English joining rules.
    private abstract record Node;

    private sealed record Pair(string Text, BigInteger Value) : Node;

    private sealed record Group(List<Node> Items) : Node;

    private static List<Node> Split(BigInteger value)
    {
        foreach (var (card, word) in Cards)
        {
            if (card > value) continue;
            var items = new List<Node>();
            var (quotient, remainder) = value.IsZero ? (BigInteger.One, BigInteger.Zero) : (BigInteger.DivRem(value, card, out var r), r);
            if (quotient == 1) items.Add(new Pair("one", 1));
            else items.Add(new Group(Split(quotient)));
            items.Add(new Pair(word, card));
            if (!remainder.IsZero) items.Add(new Group(Split(remainder)));
            return items;
        }
        throw new InvalidOperationException($"no card for {value}");
    }

    private static Node Collapse(List<Node> items)
    {
        var current = items;
        while (current.Count != 1)
        {
            var next = new List<Node>();
            if (current[0] is Pair left && current[1] is Pair right)
            {
                next.Add(Merge(left, right));
                if (current.Count > 2) next.Add(new Group(current.GetRange(2, current.Count - 2)));
            }
            else
            {
                foreach (var item in current)
                    next.Add(item is Group g ? (g.Items.Count == 1 ? g.Items[0] : Collapse(g.Items)) : item);
            }
            current = next;
        }
        return current[0];
    }

    private static Pair Merge(Pair left, Pair right)
    {
        if (left.Value == 1 && right.Value < 100) return right;
        if (100 > left.Value && left.Value > right.Value) return new Pair($"{left.Text}-{right.Text}", left.Value + right.Value);
        if (left.Value >= 100 && 100 > right.Value) return new Pair($"{left.Text} and {right.Text}", left.Value + right.Value);
        if (right.Value > left.Value) return new Pair($"{left.Text} {right.Text}", left.Value * right.Value);
        return new Pair($"{left.Text}, {right.Text}", left.Value + right.Value);
    }
}
