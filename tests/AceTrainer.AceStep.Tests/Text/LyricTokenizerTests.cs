using AceTrainer.AceStep.Text;

namespace AceTrainer.AceStep.Tests.Text;

public sealed class LyricTokenizerTests
{
    private static readonly Lazy<LyricTokenizer> Shared = new(() => LyricTokenizer.Load(TextTestData.VocabPath));

    private static LyricTokenizer Tokenizer => Shared.Value;

    private static int Id(string token) => Tokenizer.Bpe.IdOf(token) ?? throw new InvalidOperationException($"{token} not in vocabulary");

    [Fact]
    public void VocabularyHasTheDocumentedSpecialIds()
    {
        Assert.Equal(6693, Tokenizer.Bpe.Size);
        Assert.Equal(LyricTokenizer.StopId, Id("[STOP]"));
        Assert.Equal(LyricTokenizer.UnknownId, Id("[UNK]"));
        Assert.Equal(LyricTokenizer.SpaceId, Id("[SPACE]"));
        Assert.Equal(LyricTokenizer.StartId, Id("[START]"));
        foreach (var (language, id) in LyricTokenizer.UpstreamLanguages)
            Assert.Equal(id, Id(language == "zh" ? "[zh-cn]" : $"[{language}]"));
    }

    [Fact]
    public void StructureTagsBlankLinesAndLineBreaksFollowUpstreamLayout()
    {
        var ids = Tokenizer.Encode("[Verse]\nthe the\n\n[Chorus]\nthe");
        long en = Id("[en]"), the = Id("the"), space = LyricTokenizer.SpaceId;
        long[] expected = [LyricTokenizer.StartId,
            en, Id("[verse]"), space,
            en, the, space, the, space,
            space,
            en, Id("[chorus]"), space,
            en, the, space];
        Assert.Equal(expected, ids);
    }

    [Fact]
    public void UnknownStructureTagIsSpelledOutAndNumbersInsideAreSpoken()
    {
        var ids = Tokenizer.Encode("[Verse 2]");
        var inner = Tokenizer.Bpe.Encode("[verse[SPACE]two]").Select(i => (long)i);
        Assert.Equal([LyricTokenizer.StartId, Id("[en]"), .. inner, LyricTokenizer.SpaceId], ids);
        Assert.DoesNotContain((long)Id("[verse]"), ids);
    }

    [Theory]
    [InlineData("")]
    [InlineData("   \n\n \t ")]
    [InlineData("write a happy song that genre is pop")]
    public void EmptyOrPromptLikeLyricsAreTheStopToken(string lyrics) => Assert.Equal([0L], Tokenizer.Encode(lyrics));

    [Fact]
    public void CharactersOutsideTheVocabularyAreOneUnknownEach()
    {
        var ids = Tokenizer.Encode("a🎵🎶b");
        Assert.Equal(2, ids.Count(i => i == LyricTokenizer.UnknownId));
    }

    [Fact]
    public void LongLyricsAreCutAt4096Tokens()
    {
        var lyrics = string.Join('\n', Enumerable.Range(0, 1500).Select(i => $"line {i} of a very long song"));
        var ids = Tokenizer.Encode(lyrics);
        Assert.Equal(LyricTokenizer.MaxLength, ids.Length);
        Assert.Equal(LyricTokenizer.StartId, ids[0]);
        var reference = TextTestData.RunPythonJson<long[][]>("text_lyric_reference.py", new { vocab = TextTestData.VocabPath, lyrics = new[] { lyrics } });
        Assert.Equal(reference[0], ids);
    }

    [Fact]
    public void LyricsCorpusMatchesThePythonReference()
    {
        var songs = File.ReadAllText(TextTestData.TestData("text_lyrics_corpus.txt")).Split("=====\n");
        var reference = TextTestData.RunPythonJson<long[][]>("text_lyric_reference.py", new { vocab = TextTestData.VocabPath, lyrics = songs });
        for (var i = 0; i < songs.Length; i++) Assert.Equal(reference[i], Tokenizer.Encode(songs[i]));
    }

    [Fact]
    public void EnglishCleaningMatchesPythonLineByLine()
    {
        var lines = File.ReadAllText(TextTestData.TestData("text_lyrics_corpus.txt")).Split('\n').Where(l => l.Trim().Length > 0).ToArray();
        var reference = TextTestData.RunPythonJson<string[]>("text_lyric_reference.py", new { vocab = TextTestData.VocabPath, lyrics = lines, clean_only = true });
        for (var i = 0; i < lines.Length; i++) Assert.Equal(reference[i], LyricCleaner.English(lines[i]));
    }

    [Fact]
    public void UpstreamExampleLyricsMatchThePythonReference()
    {
        var lyrics = File.ReadAllText(TextTestData.SharedData("test_track_001_lyrics.txt"));
        var ids = Tokenizer.Encode(lyrics);
        var reference = TextTestData.RunPythonJson<long[][]>("text_lyric_reference.py", new { vocab = TextTestData.VocabPath, lyrics = new[] { lyrics } });
        Assert.Equal(reference[0], ids);
        Assert.Contains((long)Id("[intro]"), ids);
        Assert.Contains((long)Id("[chorus]"), ids);
        Assert.Contains((long)LyricTokenizer.UnknownId, ids); // its Chinese words, cleaned as English
    }

    [Theory]
    [InlineData("zh")]
    [InlineData("ja")]
    [InlineData("ko")]
    public void LanguagesWhoseUpstreamCleaningIsNotPortedAreRefused(string language)
    {
        var error = Assert.Throws<NotSupportedException>(() => Tokenizer.Encode("hallo", language));
        Assert.Contains($"'{language}'", error.Message);
        Assert.Contains("en, hi, ar, cs, de", error.Message);
    }

    [Fact]
    public void OtherLanguagesAreTaggedAndRefuseDigits()
    {
        var ids = Tokenizer.Encode("[Refrain]\nIch liebe dich & du mich", "de");
        Assert.Equal([LyricTokenizer.StartId, Id("[en]"), .. Tokenizer.Bpe.Encode("[refrain]").Select(i => (long)i), LyricTokenizer.SpaceId,
            .. Tokenizer.Bpe.Encode("[de]ich[SPACE]liebe[SPACE]dich[SPACE]und[SPACE]du[SPACE]mich").Select(i => (long)i), LyricTokenizer.SpaceId], ids);
        var error = Assert.Throws<NotSupportedException>(() => Tokenizer.Encode("99 Luftballons", "de"));
        Assert.Contains("99 Luftballons", error.Message);
    }

    // Upstream's own expectations (lyric_tokenizer.py test_abbreviations/test_symbols_multilingual) for inputs
    // without digits, through the whole cleaner, which also lowercases.
    [Theory]
    [InlineData("es", "Hola Sr. Garcia.", "Hola señor Garcia.")]
    [InlineData("es", "La Dra. Martinez es muy buena.", "La doctora Martinez es muy buena.")]
    [InlineData("fr", "Bonjour Mr. Dupond.", "Bonjour monsieur Dupond.")]
    [InlineData("fr", "Mme. Moreau est absente aujourd'hui.", "madame Moreau est absente aujourd'hui.")]
    [InlineData("de", "Frau Dr. Müller ist sehr klug.", "Frau doktor Müller ist sehr klug.")]
    [InlineData("pt", "Olá Sr. Silva.", "Olá senhor Silva.")]
    [InlineData("pt", "Dra. Costa, você está disponível?", "doutora Costa, você está disponível?")]
    [InlineData("it", "Buongiorno, Sig. Rossi.", "Buongiorno, signore Rossi.")]
    [InlineData("pl", "Dzień dobry, P. Kowalski.", "Dzień dobry, pani Kowalski.")]
    [InlineData("pl", "M. Nowak, czy mogę zadać pytanie?", "pan Nowak, czy mogę zadać pytanie?")]
    [InlineData("cs", "P. Novák", "pan Novák")]
    [InlineData("cs", "Dr. Vojtěch", "doktor Vojtěch")]
    [InlineData("nl", "Dhr. Jansen", "de heer Jansen")]
    [InlineData("nl", "Mevr. de Vries", "mevrouw de Vries")]
    [InlineData("ru", "Здравствуйте Г-н Иванов.", "Здравствуйте господин Иванов.")]
    [InlineData("ru", "Д-р Смирнов здесь, чтобы увидеть вас.", "доктор Смирнов здесь, чтобы увидеть вас.")]
    [InlineData("tr", "Merhaba B. Yılmaz.", "Merhaba bay Yılmaz.")]
    [InlineData("tr", "Dr. Ayşe burada.", "doktor Ayşe burada.")]
    [InlineData("hu", "Dr. Szabó itt van.", "doktor Szabó itt van.")]
    [InlineData("es", "Te veo @ la fiesta", "Te veo arroba la fiesta")]
    [InlineData("pt", "O meu email é ana&joao@gmail.com", "O meu email é ana e joao arroba gmail.com")]
    [InlineData("it", "linguaggio di programmazione C#", "linguaggio di programmazione C cancelletto")]
    [InlineData("cs", "Těším se na tebe @ party", "Těším se na tebe na party")]
    [InlineData("ru", "Я буду @ дома", "Я буду собака дома")]
    [InlineData("nl", "Ik zie je @ het feest", "Ik zie je bij het feest")]
    public void MultilingualCleaningMatchesUpstreamExamples(string language, string input, string expected) =>
        Assert.Equal(expected.ToLowerInvariant(), LyricCleaner.Multilingual(input, language));

    [Fact]
    public void UnknownLanguageIsRefused() =>
        Assert.Contains("unknown", Assert.Throws<NotSupportedException>(() => Tokenizer.Encode("x", "xx")).Message);

    [Fact]
    public void HindiIsLowercasedAndTaggedWithoutEnglishCleaning()
    {
        var ids = Tokenizer.Encode("नमस्ते 12");
        Assert.Equal(Id("[en]"), ids[1]);
        var hindi = Tokenizer.Encode("नमस्ते 12", "hi-IN");
        Assert.Equal(Id("[hi]"), hindi[1]);
        Assert.Equal(Tokenizer.Bpe.Encode("[hi]नमस्ते[SPACE]12").Select(i => (long)i), hindi[1..^1]);
    }

    [Fact]
    public void MissingVocabularyFileIsNamed()
    {
        var error = Assert.Throws<FileNotFoundException>(() => LyricTokenizer.Load("/nonexistent/vocab.json"));
        Assert.Contains("/nonexistent/vocab.json", error.Message);
    }
}
