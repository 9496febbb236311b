// JSON calls to the portal's APIs, and uploads with progress; errors carry a readable message from problem details.

export class ApiError extends Error {
  constructor(status, body) {
    super(problemMessage(status, body));
    this.status = status;
    this.body = body;
  }
}

/** One line a person can read, from an RFC 9457 problem (or our conflict body, or nothing). */
export function problemMessage(status, body) {
  if (body && typeof body === "object") {
    if (body.errors && typeof body.errors === "object") {
      const fields = Object.entries(body.errors).map(([field, messages]) => `${field}: ${[].concat(messages).join(" ")}`);
      return [body.title, ...fields].filter(Boolean).join(" — ");
    }
    const text = body.detail ?? body.message ?? body.title;
    if (text) return text;
  }
  if (typeof body === "string" && body.trim()) return body.trim().slice(0, 300);
  return {
    0: "The portal could not be reached (network error).",
    404: "Not found: it may have been deleted.",
    413: "Too large for the server.",
    502: "The dataset service failed to answer.",
    503: "The dataset service is unavailable right now.",
  }[status] ?? `The request failed (HTTP ${status}).`;
}

function parse(text, contentType) {
  if (!text) return null;
  return contentType?.includes("json") ? JSON.parse(text) : text;
}

/** fetch() for JSON APIs: resolves { data, headers } on 2xx, throws ApiError otherwise. */
export async function api(url, { method = "GET", json, headers = {} } = {}) {
  let response;
  try {
    response = await fetch(url, {
      method,
      headers: json === undefined ? headers : { "Content-Type": "application/json", ...headers },
      body: json === undefined ? undefined : JSON.stringify(json),
      cache: "no-store",
    });
  } catch {
    throw new ApiError(0, null);
  }
  const body = parse(await response.text(), response.headers.get("Content-Type"));
  if (!response.ok) throw new ApiError(response.status, body);
  return { data: body, headers: response.headers };
}

/**
 * Sends a body with XMLHttpRequest, the one browser API that reports upload progress.
 * onUpload(fraction) runs while bytes go out; onSent() once all are out (the server is still working).
 */
export function send(url, body, { method = "POST", headers = {}, onUpload, onSent, signal } = {}) {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open(method, url);
    for (const [name, value] of Object.entries(headers)) xhr.setRequestHeader(name, value);
    xhr.upload.onprogress = (e) => e.lengthComputable && onUpload?.(e.loaded / e.total);
    xhr.upload.onload = () => onSent?.();
    xhr.onload = () => {
      const data = parse(xhr.responseText, xhr.getResponseHeader("Content-Type"));
      if (xhr.status >= 200 && xhr.status < 300) resolve(data);
      else reject(new ApiError(xhr.status, data));
    };
    xhr.onerror = () => reject(new ApiError(0, null));
    xhr.onabort = () => reject(new ApiError(0, { detail: "Cancelled." }));
    signal?.addEventListener("abort", () => xhr.abort());
    xhr.send(body);
  });
}
