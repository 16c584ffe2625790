require ["include"];
include :optional "nope";
keep;
