// Calls to the control API: the same routes a script uses, JSON in and out. When the server
// runs with --control-token, the page asks for the token once and keeps it in this tab's
// sessionStorage; it goes in the X-SmsVoice-Sim-Token header, never in a URL.

const TOKEN_KEY = "smsvoice-sim-token";
const TOKEN_HEADER = "X-SmsVoice-Sim-Token";

export class ApiError extends Error {
  constructor(status, data, message) {
    super(message);
    this.status = status; // 0: the server could not be reached
    this.data = data;
  }

  get needsToken() {
    return this.status === 403 && this.data && this.data.token === "required";
  }

  get lost() {
    return this.status === 0;
  }
}

export function token() {
  return sessionStorage.getItem(TOKEN_KEY);
}

export function setToken(value) {
  if (value) sessionStorage.setItem(TOKEN_KEY, value);
  else sessionStorage.removeItem(TOKEN_KEY);
}

function explain(status, data, text) {
  if (data && typeof data === "object") {
    const parts = [data.error || data.message || data.Message || `HTTP ${status}`];
    if (data.Reason) parts.push(`(${data.Reason})`);
    if (data.__type) parts.unshift(`${data.__type}:`);
    return parts.join(" ");
  }
  return `HTTP ${status}: ${text.slice(0, 200)}`;
}

// Returns {data, text}; throws ApiError for anything but a 2xx JSON answer.
export async function call(method, path, body) {
  const headers = {Accept: "application/json"};
  const secret = token();
  if (secret) headers[TOKEN_HEADER] = secret;
  const init = {method, headers, cache: "no-store", credentials: "same-origin", redirect: "error"};
  if (body !== undefined) {
    headers["Content-Type"] = "application/json";
    init.body = JSON.stringify(body);
  }
  let response;
  try {
    response = await fetch(path, init);
  } catch (error) {
    throw new ApiError(0, null, "lost the connection to the simulator");
  }
  const text = await response.text();
  let data = null;
  try {
    data = JSON.parse(text);
  } catch (error) {
    data = null;
  }
  if (!response.ok || data === null) throw new ApiError(response.status, data, explain(response.status, data, text));
  return {data, text};
}

export function query(params) {
  const found = Object.entries(params).filter(([, value]) => value !== "" && value !== null && value !== undefined);
  return found.length ? "?" + new URLSearchParams(found).toString() : "";
}
