using AceTrainer.ServiceDefaults.Blobs;

namespace AceTrainer.ServiceDefaults.Tests.Blobs;

public sealed class BlobConnectionOptionsTests
{
    private const string Key = "a2V5LWJ5dGVzLWZvci10ZXN0cw=="; // base64 of "key-bytes-for-tests"

    [Fact]
    public void Development_storage_points_at_the_well_known_azurite_account()
    {
        var options = BlobConnectionOptions.Parse("UseDevelopmentStorage=true");

        Assert.Equal("devstoreaccount1", options.AccountName);
        Assert.Equal("http://127.0.0.1:10000/devstoreaccount1/", options.BlobEndpoint.AbsoluteUri);
        Assert.Equal(Convert.FromBase64String(BlobConnectionOptions.DevelopmentAccountKey), options.AccountKey);
    }

    [Fact]
    public void Development_storage_honours_the_proxy_uri()
    {
        var options = BlobConnectionOptions.Parse("UseDevelopmentStorage=true;DevelopmentStorageProxyUri=http://azurite.local");

        Assert.Equal("http://azurite.local:10000/devstoreaccount1/", options.BlobEndpoint.AbsoluteUri);
    }

    [Fact]
    public void Full_form_builds_the_endpoint_from_protocol_account_and_suffix()
    {
        var options = BlobConnectionOptions.Parse(
            $"DefaultEndpointsProtocol=https;AccountName=acme;AccountKey={Key};EndpointSuffix=core.chinacloudapi.cn");

        Assert.Equal("acme", options.AccountName);
        Assert.Equal("https://acme.blob.core.chinacloudapi.cn/", options.BlobEndpoint.AbsoluteUri);
        Assert.Equal("key-bytes-for-tests"u8.ToArray(), options.AccountKey);
    }

    [Fact]
    public void Full_form_defaults_to_https_and_the_public_cloud()
    {
        var options = BlobConnectionOptions.Parse($"AccountName=acme;AccountKey={Key}");

        Assert.Equal("https://acme.blob.core.windows.net/", options.BlobEndpoint.AbsoluteUri);
    }

    [Fact]
    public void Explicit_blob_endpoint_wins_and_keys_are_case_insensitive()
    {
        var options = BlobConnectionOptions.Parse(
            $"accountname=devstoreaccount1; ACCOUNTKEY={Key}; BlobEndpoint=http://127.0.0.1:4321/devstoreaccount1;QueueEndpoint=http://x;");

        Assert.Equal("http://127.0.0.1:4321/devstoreaccount1/", options.BlobEndpoint.AbsoluteUri);
    }

    [Fact]
    public void ToString_does_not_leak_the_key()
    {
        var text = BlobConnectionOptions.Parse($"AccountName=acme;AccountKey={Key}").ToString();

        Assert.Contains("acme", text);
        Assert.DoesNotContain(Key, text);
    }

    [Theory]
    [InlineData("AccountName=acme", "'AccountKey' is missing")]
    [InlineData("AccountKey=a2V5", "'AccountName' is missing")]
    [InlineData("AccountName=acme;AccountKey=not base64!", "not valid base64")]
    [InlineData("AccountName=acme;AccountKey=a2V5;garbage", "not of the form Key=Value")]
    [InlineData("AccountName=acme;AccountName=other;AccountKey=a2V5", "more than once")]
    [InlineData("AccountName=acme;AccountKey=a2V5;BlobEndpoint=not a uri", "BlobEndpoint")]
    [InlineData("AccountName=acme;AccountKey=a2V5;DefaultEndpointsProtocol=ftp", "DefaultEndpointsProtocol")]
    [InlineData("UseDevelopmentStorage=yes", "UseDevelopmentStorage")]
    [InlineData("BlobEndpoint=https://x.blob.core.windows.net;SharedAccessSignature=sv=1", "not supported")]
    [InlineData(";;;", "no settings")]
    [InlineData("AccountName=;AccountKey=a2V5", "empty value")]
    public void Malformed_strings_raise_an_argument_exception_that_says_why(string connectionString, string reason)
    {
        var error = Assert.Throws<ArgumentException>(() => BlobConnectionOptions.Parse(connectionString));

        Assert.Contains("Malformed storage connection string", error.Message);
        Assert.Contains(reason, error.Message);
    }
}
