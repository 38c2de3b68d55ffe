// `--api-url 127.0.0.1:3000` is what people type for http://127.0.0.1:3000; new URL() reads `localhost:3000` as a
// URL with the scheme "localhost:", and `127.0.0.1:3000` not at all. Only a plain host, an optional port and path get
// the scheme added: anything else (user:password@, another scheme) is left for the URL check to refuse.

const label = String.raw`[a-z\d](?:[a-z\d-]*[a-z\d])?`;
const host = String.raw`(?:localhost|\d{1,3}(?:\.\d{1,3}){3}|\[[\da-f:.]+\]|${label}(?:\.${label})*)`;
const schemeless = new RegExp(String.raw`^${host}(?::\d{1,5})?(?:[/?#]\S*)?$`, 'i');

/** The URL with http:// in front when it was written without a scheme; otherwise unchanged. */
export function withHttpScheme(text: string): string {
	if (/^[a-z][a-z\d+.-]*:\/\//i.test(text) || !schemeless.test(text)) return text;
	const [authority = ''] = text.split(/[/?#]/);
	// A bare number is a port or a typo, not the host 0.0.11.184; a bare word is more likely a mistake than a host.
	const looksLikeHost = /^localhost\b/i.test(authority) || /[.:\]]/.test(authority);
	return looksLikeHost && !/^\d+$/.test(authority) ? `http://${text}` : text;
}
