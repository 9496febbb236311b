using System.Net;

namespace AceTrainer.ServiceDefaults.Blobs;

/// <summary>The storage service answered with an error status.</summary>
public class BlobStorageException(HttpStatusCode status, string? errorCode, string message, Exception? inner = null)
    : Exception(message, inner)
{
    public HttpStatusCode Status { get; } = status;

    /// <summary>The service's x-ms-error-code, e.g. "BlobNotFound", "AuthenticationFailed"; null if it sent none.</summary>
    public string? ErrorCode { get; } = errorCode;
}

/// <summary>
/// An ETag precondition did not hold: 412 (If-Match / If-None-Match failed), 409 BlobAlreadyExists
/// (create-only Put Blob on an existing blob) or 304 (download If-None-Match matched). Catch it to retry
/// a read-modify-write cycle.
/// </summary>
public sealed class BlobConditionFailedException(HttpStatusCode status, string? errorCode, string message)
    : BlobStorageException(status, errorCode, message);

/// <summary>The service rejected our SharedKey signature: the account name or key is wrong.</summary>
public sealed class BlobAuthenticationException(HttpStatusCode status, string? errorCode, string message)
    : BlobStorageException(status, errorCode, message);
