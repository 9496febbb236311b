using System.Text;
using AceTrainer.ServiceDefaults.Blobs;

namespace AceTrainer.ServiceDefaults.Tests.Blobs;

public sealed class SharedKeySignerTests
{
    [Fact]
    public void String_to_sign_follows_the_blob_service_canonical_form()
    {
        var signer = new SharedKeySigner("acct", [1, 2, 3]);
        using var request = new HttpRequestMessage(HttpMethod.Put, "http://127.0.0.1:1/acct/box/a%20b?comp=block&blockid=QUJD%2B&Zeta=2");
        request.Content = new ByteArrayContent(Encoding.UTF8.GetBytes("hello"));
        request.Headers.TryAddWithoutValidation("x-ms-version", "2023-11-03");
        request.Headers.TryAddWithoutValidation("X-MS-Meta-Owner", " ann ");
        request.Headers.TryAddWithoutValidation("If-Match", "\"0x1\"");
        request.Headers.TryAddWithoutValidation("x-ms-date", "Sun, 22 Nov 2026 00:00:00 GMT");

        var expected = string.Join('\n',
            "PUT", "", "", "5", "", "", "", "", "\"0x1\"", "", "", "",
            "x-ms-date:Sun, 22 Nov 2026 00:00:00 GMT",
            "x-ms-meta-owner:ann",
            "x-ms-version:2023-11-03",
            "/acct/acct/box/a%20b",
            "blockid:QUJD+",
            "comp:block",
            "zeta:2");
        Assert.Equal(expected, signer.StringToSign(request));
    }
}
