// The floor's element: keystrokes (input) and caret moves (caret keys) go out as bare NiceGUI events;
// what others typed comes back through receive()/receiveCaret(). Arrivals are logged for the benchmark.
export default {
  template: `<textarea data-testid="floor" rows="4" style="width: 100%; font: 14px monospace"></textarea>`,
  mounted() {
    window.floorArrivals = [];
    window.floorCaretArrivals = [];
    this.$el.addEventListener("input", () => this.$emit("key", { n: this.$el.value.length }));
    // A caret key moves the caret in the key's default action: read it in the next task, as soon as it moved.
    this.$el.addEventListener("keydown", (e) => {
      if (e.key.startsWith("Arrow") || e.key === "Home" || e.key === "End") {
        setTimeout(() => {
          const pos = this.$el.selectionStart;
          this.$emit("caret", { pos: pos - this.$el.value.lastIndexOf("\n", pos - 1) - 1 }); // column, 0-based
        }, 0);
      }
    });
  },
  methods: {
    receive(args) {
      window.floorArrivals.push([performance.timeOrigin + performance.now(), args.n]);
    },
    receiveCaret(args) {
      window.floorCaretArrivals.push([performance.timeOrigin + performance.now(), args.pos]);
    },
  },
};
