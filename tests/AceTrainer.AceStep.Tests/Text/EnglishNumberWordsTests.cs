using System.Globalization;
using System.Numerics;
using AceTrainer.AceStep.Text;

namespace AceTrainer.AceStep.Tests.Text;

public sealed class EnglishNumberWordsTests
{
    [Fact]
    public void MatchesPythonNum2Words()
    {
        var integers = new List<string>();
        for (var i = 0; i <= 1200; i++) integers.Add(i.ToString(CultureInfo.InvariantCulture));
        var random = new Random(7);
        for (var digits = 4; digits <= 40; digits++)
            for (var k = 0; k < 4; k++)
                integers.Add(string.Concat(Enumerable.Range(0, digits).Select(j => (char)('0' + (j == 0 ? random.Next(1, 10) : random.Next(10))))));
        integers.AddRange(["1000000", "1000001", "1001000", "2000000000", "1" + new string('0', 305), "1" + new string('0', 306)]);

        string[] floats = ["0.5", "0.05", "10.001", "3.0", "12.5", "100000.5", "0.1", "0.30000000000000004", "1234567890123456.5",
            "0.00001", "1.005", "2.675", "99.99", "7.0001", "123456.789", "1e-07", "4503599627370495.5",
            "1e20", "1e29", "123456789012345678901.0", "9007199254740993.0", "3.7e250", "1e306"];
        string[] amounts = ["0", "1", "20", "20.15", "0.01", "0.99", "1.005", "2.675", "1234.56", "1000000", "0.5", "1e25", "1e30", "100.1"];

        var requests = integers.Select(v => new[] { "cardinal", v })
            .Concat(integers.Select(v => new[] { "ordinal", v }))
            .Concat(floats.Select(v => new[] { "float", v }))
            .Concat(amounts.SelectMany(v => new[] { new[] { "USD", v }, new[] { "GBP", v }, new[] { "EUR", v } }))
            .ToArray();
        var expected = TextTestData.RunPythonJson<string?[]>("text_num2words.py", requests);

        for (var i = 0; i < requests.Length; i++)
        {
            var (kind, value) = (requests[i][0], requests[i][1]);
            string? actual;
            try
            {
                actual = kind switch
                {
                    "cardinal" => EnglishNumberWords.Cardinal(BigInteger.Parse(value, CultureInfo.InvariantCulture)),
                    "ordinal" => EnglishNumberWords.Ordinal(BigInteger.Parse(value, CultureInfo.InvariantCulture)),
                    "float" => EnglishNumberWords.Float(double.Parse(value, CultureInfo.InvariantCulture)),
                    _ => EnglishNumberWords.Currency(double.Parse(value, CultureInfo.InvariantCulture), kind),
                };
            }
            catch (OverflowException)
            {
                actual = null;
            }
            Assert.True(expected[i] == actual, $"{kind} {value}: python '{expected[i]}', C# '{actual}'");
        }
    }
}
