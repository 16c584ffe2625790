require ["variables","fileinto"];
set :upper "a" "hello";
set :lowerfirst "b" "WORLD";
set :upperfirst "c" "xyz";
set :lower "d" "MiXeD";
set :length "e" "12345";
fileinto "${a}.${b}.${c}.${d}.${e}";
