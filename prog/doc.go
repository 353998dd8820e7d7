// Package prog is the program model of dangle and its text format.
//
// The program is the hub: the simulator runs a [Program], the fuzzer and
// the generator produce them, the minimizer shrinks them, and crashers and
// the corpus store them as text. Everything about what an operation is —
// its name, arguments, result and sched points — comes from one table,
// [Ops]; parsing, printing, validation and (later) byte decoding,
// generation and the simulator's dispatch all read it.
//
// # Format
//
// A program is one .prog file, a txtar archive
// (golang.org/x/tools/txtar): the comment section holds the header and the
// ops, the files hold device-tree sources, so the archive extracts with
// standard txtar tools into .dts/.dtso files that dtc compiles.
//
//	dangle program v1
//	# title: memory leak in of_changeset_destroy
//	kernel v6.8
//	ov = of_overlay_fdt_apply blob=reg-expander.dtso
//	of_overlay_remove ov=ov
//	-- reg-expander.dtso --
//	/dts-v1/;
//	/plugin/;
//	&bus { … };
//
// Grammar of the comment section, one item per line; lines are trimmed of
// surrounding white space, and words are separated by white space:
//
//	program  = version { blank | comment | kernel | op } .
//	version  = "dangle program v1" .              (line 1, exactly)
//	blank    = "" .
//	comment  = "#" { any character } .
//	kernel   = "kernel" profile .                 (at most once, before the first op)
//	profile  = word { word } .                    (no "#"; e.g. "v6.8+wait-early devlink_wait=none")
//	op       = [ name "=" ] opname { key "=" value } .
//	name     = [a-z_][a-z0-9_]* .
//	opname   = the Name of an entry of Ops .
//	key      = the Key of an argument of that op .
//	value    = a word (no white space), by the argument's kind:
//	  KindFile   the name of a file of the archive
//	  KindRef    a name bound earlier to a value of the argument's Type;
//	             for TypeOverlay also an overlay id: "0" | [1-9][0-9]*
//	             (at most MaxOverlayID)
//	  KindNode   an absolute node path, "/" | { "/" [A-Za-z0-9,._+@-]+ },
//	             or a name bound earlier to a node (TypeNode)
//	  KindInt    "0" | [1-9][0-9]*, within the argument's Min..Max
//	  KindEnum   one of the argument's Values
//	  KindSched  point [ ":" N ] { "," point [ ":" N ] }, points from the
//	             op's Sched, each at most once, N a decimal >= 1
//
// A line binds a name ("ov = of_overlay_fdt_apply …") when the text
// before its first "=" is a single word. Only ops with a Result type bind;
// a later binding of the same name shadows the earlier one, and an op's
// arguments see the bindings made before it. Names exist only in the
// text: Parse links each use to the op that bound the name (Arg.Ref) and
// keeps the name as the op's Label; Print names results by
// [Program.Names]. Each key appears at most
// once; keys not marked Optional are required; the order of keys on the
// line is free, and printing uses op-table order.
//
// Every op whose OpDesc.Fallible is set takes the optional argument
// fail_nth=N ([FailNthKey], 1..[MaxFailNth]): fault injection, as the
// kernel's /proc/<pid>/fail-nth. The N-th fallible step inside that op (a
// kzalloc(), idr_alloc(), device_add(), a driver's probe allocation…)
// fails with the kernel's errno, and the simulator takes the kernel's
// error path there; "dangle run -fail-list FILE" lists the steps each op
// reaches. A program without fail_nth runs as before.
//
// Comments are kept. The header is the comment lines before the kernel
// line; a program without a kernel line ends its header at the first blank
// line or op. Any other comment block belongs to the op that follows it,
// and the comments after the last op are the trailer. Blank lines are not
// kept.
//
// Files follow the comment section, each starting with a "-- name --"
// marker line; line 1 of a file is the line after its marker. Names are
// unique, use [A-Za-z0-9_.,+-] (starting with a letter, digit or "_") and
// end in .dts, .dtso (device-tree sources), .dtb or .dtbo (flattened
// blobs as dtc -@ writes them, stored base64-encoded in lines of at most
// 76 characters — see [EncodeBlob] and [File.Blob] — so a program stays
// a text file; "base64 -d" turns an extracted one back into the blob).
// A file called base.dts (or base.dtb) replaces the built-in base tree
// ([DefaultBase]); other files need not be referenced. A file's data is
// kept as written except that trailing newlines collapse to one.
//
// Parsing is strict and reports every problem it can find in one pass, as
// [*Error] values "file:line: message" (with the line of the .prog file),
// or "file:line:col: message" for a device-tree syntax error inside an
// archive file (prog parses sources with package dt; see [File.Tree],
// which keeps the compiled tree for the simulator).
//
// Printing is canonical: version line, header, kernel line, ops with
// their comment blocks (a blank line before each block), a blank line and
// the trailer, then the files. Parse(Print(p)) equals p apart from the
// Line fields (and labels that Names had to choose, for a program built
// in memory), and printing a parsed program again gives the same text.
//
// # Typed, linked programs
//
// Each argument holds a typed value ([Arg]): a link to an earlier op
// (Ref, a pointer: syzkaller's ResultArg), a node path, an int within the
// op table's range, an enum index, a file name or a sched list. Results
// are slots, named only when printed. [Uses] lists the ops using an op's
// result, [RemoveOp] removes an op and its users, [InsertOp] inserts one
// whose links point before it, and [Program.Validate] checks that every
// link points to an earlier op of the right type.
//
// # API
//
//   - The op table: [Ops], [OpDesc], [ArgDesc], [ArgKind], [Type],
//     [Lookup], [OpDesc.Arg].
//   - The model: [Program], [Op], [Arg], [SchedItem], [File]; accessors
//     [Op.Arg], [Op.Set], [Op.Del], [Op.Name], [Op.Result],
//     [Program.File], [Program.Base], [Program.Title], [File.Tree];
//     copies [Program.Clone], [Op.Clone].
//   - Links: [Program.Index], [Program.Links], [Uses], [RemoveOp],
//     [InsertOp], [Program.Names].
//   - Text: [Parse], [ParseFile], [Program.Print], [Program.String],
//     [Program.OpString], [Op.String], [Version].
//   - Building programs in memory: [NewOp], [RefArg], [IntArg],
//     [EnumArg], [PathArg], [FileArg], [SchedArg], [Program.Validate].
//   - Errors: [Error], [Errors].
//   - The base tree: [DefaultBaseName], [DefaultBase], [Program.Base].
//   - Device-tree sources: [File.Tree].
package prog
