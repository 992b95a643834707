// JSON over XMLHttpRequest: present in every web view the page must run in, with a timeout.
// Status 0 means the request never got an answer (offline, cut, timed out).

export interface ApiError {
  code: string;
  message?: string;
  messageEn?: string;
  details?: unknown;
}

export type Answer = { ok: true; status: number; body: unknown } | { ok: false; status: number; error: ApiError | null };

const TIMEOUT_MS = 20_000;

function isApiError(value: unknown): value is ApiError {
  return typeof value === 'object' && value !== null && typeof (value as { code?: unknown }).code === 'string';
}

export function callApi(method: 'GET' | 'POST', url: string, body?: unknown): Promise<Answer> {
  return new Promise((resolve) => {
    const xhr = new XMLHttpRequest();
    const failed = () => resolve({ ok: false, status: 0, error: null });
    xhr.open(method, url, true);
    xhr.timeout = TIMEOUT_MS;
    xhr.setRequestHeader('accept', 'application/json');
    if (body !== undefined) xhr.setRequestHeader('content-type', 'application/json');
    xhr.onerror = failed;
    xhr.ontimeout = failed;
    xhr.onabort = failed;
    xhr.onload = () => {
      let json: unknown = null;
      try {
        json = JSON.parse(xhr.responseText);
      } catch {
        // Not JSON: a proxy's or gateway's error page. Treated by status alone.
      }
      if (xhr.status >= 200 && xhr.status < 300 && json !== null) resolve({ ok: true, status: xhr.status, body: json });
      else resolve({ ok: false, status: xhr.status, error: isApiError(json) ? json : null });
    };
    xhr.send(body === undefined ? null : JSON.stringify(body));
  });
}
