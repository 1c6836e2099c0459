/** Svelte 5 with runes only (see DESIGN.md conventions). */
export default {
  compilerOptions: { runes: true },
};
