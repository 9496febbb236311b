using System.Security.Cryptography;

namespace AceTrainer.DatasetService.Storage;

public static class DatasetIds
{
    public static string New() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(6));

    public static bool IsValid(string id) => id.Length == 12 && id.All(c => c is (>= '0' and <= '9') or (>= 'a' and <= 'f'));
}
