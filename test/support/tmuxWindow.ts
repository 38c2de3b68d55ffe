// A person's terminal for end-to-end tests of the interactive doctor: tmux, for what a person sees and scrolls back to.
import {execFileSync} from 'node:child_process';
import {mkdtempSync, readFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import path from 'node:path';

/**
 * A tmux window of the given size on a server of its own, running `command` after a line of shell history; raw: every
 * byte the program wrote (pipe-pane), screen(): the window and all of its scrollback as a person would scroll it.
 */
export function tmuxWindow(command: string, size: {columns: number; rows: number}, env: Record<string, string> = {}) {
	const directory = mkdtempSync(path.join(tmpdir(), 'pgrst-doctor-tmux-'));
	const socket = path.join(directory, 'socket');
	const tmux = (...args: string[]) => execFileSync('tmux', ['-S', socket, ...args], {encoding: 'utf8'});
	const person = Object.entries({...process.env, ...env}).filter(
		([name]) => name !== 'CI' && name !== 'CONTINUOUS_INTEGRATION' && !name.startsWith('CI_')
	);
	const exports = person
		.filter(([name]) => /^\w+$/.test(name))
		.map(([name, value]) => `export ${name}='${String(value).replaceAll("'", "'\\''")}'`)
		.join('; ');
	const script = path.join(directory, 'run.sh');
	execFileSync('sh', ['-c', `cat > '${script}'`], {
		input: `${exports}; unset CI; printf 'HISTORY-BEFORE-DOCTOR\\n'; ${command}; echo "EXIT:$?"; sleep 600\n`,
	});
	tmux('-f', '/dev/null', 'new-session', '-d', '-x', String(size.columns), '-y', String(size.rows), `sh '${script}'`);
	tmux('set-option', '-g', 'history-limit', '5000');
	const raw = path.join(directory, 'raw');
	tmux('pipe-pane', '-o', `cat >> '${raw}'`);
	const screen = () => tmux('capture-pane', '-p', '-J', '-S', '-', '-E', '-');
	return {
		screen,
		raw: () => readFileSync(raw, 'latin1'),
		keys: (...keys: string[]) => tmux('send-keys', ...keys),
		async until(text: string | RegExp, timeoutMs = 20_000) {
			const deadline = Date.now() + timeoutMs;
			while (!(typeof text === 'string' ? screen().includes(text) : text.test(screen()))) {
				if (Date.now() > deadline)
					throw new Error(`tmux never showed ${String(text)}:\n${screen().slice(-3000)}`);
				await new Promise(resolve => setTimeout(resolve, 100));
			}
		},
		close: () => tmux('kill-server'),
	};
}
