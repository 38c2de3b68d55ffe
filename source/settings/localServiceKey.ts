// The service_role key of a local `supabase start` stack, made the way the Supabase CLI makes it: an HS256 JWT
// {iss: 'supabase-demo', role: 'service_role', exp: 1983812996} signed with the project's JWT secret (by default
// the well-known local one). It is a key to a local development stack only, and never shown.
import {createHmac} from 'node:crypto';

export const defaultLocalJwtSecret = 'super-secret-jwt-token-with-at-least-32-characters-long';

export function localServiceKey(jwtSecret = defaultLocalJwtSecret): string {
	const part = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
	const unsigned = `${part({alg: 'HS256', typ: 'JWT'})}.${part({iss: 'supabase-demo', role: 'service_role', exp: 1_983_812_996})}`;
	return `${unsigned}.${createHmac('sha256', jwtSecret).update(unsigned).digest('base64url')}`;
}
