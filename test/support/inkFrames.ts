// ink-testing-library's render, at a chosen window size: its fake stdout is always 100 columns and has no rows.
// Like it, Ink runs in debug mode, so every frame is written whole: the <Static> record followed by the live part.
import {EventEmitter} from 'node:events';
import {render as inkRender} from 'ink';
import type React from 'react';

class Stdout extends EventEmitter {
	readonly frames: string[] = [];
	constructor(
		readonly columns: number,
		readonly rows: number
	) {
		super();
	}

	write = (frame: string) => {
		// With CI set in the environment, Ink ends by writing its last live output and a newline; in debug mode that
		// output is empty, so the bare newline closes the last frame rather than being a frame of its own.
		if (frame === '\n' && this.frames.length > 0) this.frames[this.frames.length - 1] += frame;
		else this.frames.push(frame);
		return true;
	};
}

class Stdin extends EventEmitter {
	readonly isTTY = true;
	private data: string | null = null;
	write = (data: string) => {
		this.data = data;
		this.emit('readable');
	};

	read = () => {
		const {data} = this;
		this.data = null;
		return data;
	};

	/** As a real stream does: keys that came before anyone listened are offered to the first reader. */
	override addListener(event: string, listener: (...args: unknown[]) => void): this {
		super.addListener(event, listener);
		if (event === 'readable' && this.data !== null) setImmediate(() => this.emit('readable'));
		return this;
	}

	override on(event: string, listener: (...args: unknown[]) => void): this {
		return this.addListener(event, listener);
	}

	setEncoding() {}
	setRawMode() {}
	resume() {}
	pause() {}
	ref() {}
	unref() {}
}

export function renderAt(tree: React.ReactElement, columns: number, rows = 40) {
	const stdout = new Stdout(columns, rows);
	const stdin = new Stdin();
	const instance = inkRender(tree, {
		stdout: stdout as unknown as NodeJS.WriteStream,
		stderr: new Stdout(columns, rows) as unknown as NodeJS.WriteStream,
		stdin: stdin as unknown as NodeJS.ReadStream,
		debug: true,
		exitOnCtrlC: false,
		patchConsole: false,
	});
	const lastFrame = () => stdout.frames.at(-1) ?? '';
	return {
		stdin,
		frames: stdout.frames,
		lastFrame,
		unmount: instance.unmount,
		/** Waits until the newest frame shows `text`: screens change after effects and timers, not at once. */
		async until(text: string | RegExp, timeoutMs = 5000) {
			const deadline = Date.now() + timeoutMs;
			while (!(typeof text === 'string' ? lastFrame().includes(text) : text.test(lastFrame()))) {
				if (Date.now() > deadline)
					throw new Error(`the screen never showed ${String(text)}; last frame:\n${lastFrame()}`);
				await new Promise(resolve => setTimeout(resolve, 10));
			}
		},
		async press(keys: string) {
			stdin.write(keys);
			await new Promise(resolve => setTimeout(resolve, 30));
		},
	};
}
