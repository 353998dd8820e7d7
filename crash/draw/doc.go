// Package draw renders a finding's pictures from plain data: the lifetime
// timeline of the objects involved as SVG (Timeline.SVG) and the
// device / device-link / device-tree node graph at the failure as
// Graphviz DOT (Graph.DOT). It knows nothing of the simulator: package
// crash fills the structures from a traced run. Output is deterministic
// (no map-order dependence), so pictures can be committed and diffed.
package draw
