package gen

import "fmt"

// The plainest overlay: every choice 0 (an exhausted byte stream).
func ExampleState_Generate() {
	cat, base := testCatalog(), testBase()
	st := NewState(cat, base)
	w := DefaultWeights()
	c := &zeros{}
	ov := st.Generate(c, &w, NewSwarm(c, cat))
	fmt.Printf("%s%v %v %v\n", ov.Source, ov.Reject, ov.Fragments, ov.Drivers)
	st.Apply(ov) // the kernel accepted it: its nodes and labels are live
	// Output:
	// /dts-v1/;
	// /plugin/;
	//
	// &{/} {
	// 	o1_bus0: bus@0 {
	// 		compatible = "simple-bus";
	// 		reg = <0x0 0x1000>;
	// 		ranges = <0x0 0x0 0x1000>;
	// 		#address-cells = <1>;
	// 		#size-cells = <1>;
	// 	};
	// };
	// valid [path] [simple-pm-bus]
}
