set terminal svg size 680,520 dynamic noenhanced font 'sans,11' background '#ffffff'
set output 'throughput.svg'
set title 'Throughput per workload: median of the runs, 95% bootstrap interval'
set ylabel 'MiB/s'
set logscale y
set grid ytics
set key top left
set style data histogram
set style histogram errorbars gap 1 lw 1
set style fill solid 0.7 border -1
set xtics rotate by -35 left
set bmargin 9
plot 'throughput.dat' using 2:3:4:xtic(1) title 'buffer_head' lc rgb '#4477aa', \
     '' using 5:6:7 title 'iomap' lc rgb '#ee6677'
