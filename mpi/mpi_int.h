/*
 * mpi_int.h -- private to mpi/: what hetsim_mpi.c (the command line, the
 * files between ranks, sweeps) shares with mpi_search.c (searches).
 */
#ifndef HETSIM_MPI_INT_H
#define HETSIM_MPI_INT_H

#include <mpi.h>

#include <stdbool.h>
#include <stdint.h>

/* The command line of either command. */
typedef struct mpi_args {
    const char *path, *db;
    const char *format; /* search: "table", "csv" or "json" */
    int jobs;           /* sweep: local workers per rank */
    bool resume;        /* sweep */
    bool search;        /* 'search' rather than 'sweep' */
} mpi_args;

/* Wait for 'req' without spinning (a millisecond between tests). */
void mpi_polite_wait(MPI_Request *req);

/* Send the file at 'path' and two numbers to rank 0 (a missing file is
 * sent empty); false when it could not be read. */
bool mpi_send_file(const char *path, const uint64_t counts[2]);

/* Rank 0: receive rank 'from''s next file into 'path', its numbers to
 * 'counts'; false when it could not be written. */
bool mpi_recv_file(int from, const char *path, uint64_t counts[2]);

/* A new directory under $TMPDIR (else /tmp), or NULL (said on stderr). */
char *mpi_temp_dir(void);

/* 'mpirun -np N hetsim-mpi search ...' on this rank (mpi_search.c);
 * returns the exit status, the same on every rank. */
int mpi_search(const mpi_args *a, int rank, int size);

#endif /* HETSIM_MPI_INT_H */
