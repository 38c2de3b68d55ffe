// Where a command writes what a renderer made: the terminal (or a test's buffer), and whether colour may be used.
export type Output = {write(text: string): void; color: boolean};
