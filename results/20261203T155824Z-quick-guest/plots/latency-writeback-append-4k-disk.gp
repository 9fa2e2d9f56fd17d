set terminal svg size 720,440 dynamic noenhanced font 'sans,11' background '#ffffff'
set output 'latency-writeback-append-4k-disk.svg'
set title 'Per-I/O latency CDF, writeback-append-4k on disk (all runs of each path merged)'
set xlabel 'latency (us)'
set ylabel 'fraction of I/Os'
set logscale x
set grid
set key bottom right
set yrange [0:1]
plot 'latency-writeback-append-4k-disk.dat' index 0 using 1:2 with steps lw 2 lc rgb '#4477aa' title 'buffer_head', \
     '' index 1 using 1:2 with steps lw 2 lc rgb '#ee6677' title 'iomap'
