require ["duplicate","fileinto"];
if duplicate :handle "a" { discard; }
if duplicate :handle "b" { discard; }
