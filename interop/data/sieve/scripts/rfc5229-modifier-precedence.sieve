require ["variables","fileinto"];
set :upperfirst :lower "a" "hELLO wORLD";
fileinto "${a}";
