set terminal svg size 600,480 dynamic noenhanced font 'sans,11' background '#ffffff'
set output 'ratio.svg'
set title 'Throughput ratio iomap / buffer_head with 95% bootstrap interval (above 1: iomap faster)'
set ylabel 'ratio'
set grid ytics
set key off
set xrange [-0.5:8]
set xtics rotate by -35 left
set bmargin 9
set arrow from -0.5,1 to 8,1 nohead dt 2
plot 'ratio.dat' using 1:3:4:5:xtic(2) with yerrorbars pt 7 lc rgb '#228833'
