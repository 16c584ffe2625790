require ["variables","fileinto"];
fileinto "x${nope}y";
