require ["fileinto", "reject", "envelope"];
keep;
