# trailwarden's container image: the `trailwarden` binary (with live AWS collection) on Debian
# slim, run as an unprivileged user.
#
#   docker build -t trailwarden .
#   docker run --rm -v "$PWD:/work" trailwarden scan --snapshot examples/demo-org.json --fail-on never
#
# The final image keeps Debian's /bin/sh on purpose: the Kubernetes recipe
# (examples/sharded/kubernetes.yaml) runs `/bin/sh -c` in it to number its parts and expand
# the merge's file glob, which a shell-less (distroless) image could not do.

# The toolchain the project is built and tested with (the CI and release workflows pin the
# same one).
ARG RUST_VERSION=1.95.0

FROM rust:${RUST_VERSION}-slim-bookworm AS build
WORKDIR /src

# The dependency graph first, compiled against placeholder sources: the AWS SDK is most of the
# build, and this layer is reused until Cargo.toml or Cargo.lock change.
COPY Cargo.toml Cargo.lock ./
COPY crates/core/Cargo.toml crates/core/build.rs crates/core/
# The placeholders stand for every target the manifests name, so that cargo can read them:
# the CLI's library and binary, the core's library and its declared benchmark.
RUN mkdir -p src crates/core/src crates/core/benches \
    && echo 'fn main() {}' > src/main.rs \
    && touch src/lib.rs crates/core/src/lib.rs \
    && echo 'fn main() {}' > crates/core/benches/evaluate.rs \
    && cargo build --release --locked -p trailwarden --bin trailwarden

# The project's own sources. COPY keeps the files' modification times, which may be older than
# the placeholders': the touch makes cargo rebuild both crates instead of keeping the
# placeholder binary.
COPY src src
COPY crates/core/src crates/core/src
COPY crates/core/rules crates/core/rules
COPY crates/core/templates crates/core/templates
RUN touch src/main.rs src/lib.rs crates/core/src/lib.rs \
    && cargo build --release --locked -p trailwarden --bin trailwarden \
    && install -m 0755 target/release/trailwarden /usr/local/bin/trailwarden \
    && trailwarden --version

# The same Debian release as the build stage, so that the binary finds the glibc it was linked
# against.
FROM debian:bookworm-slim

LABEL org.opencontainers.image.title="trailwarden" \
      org.opencontainers.image.description="Policy-as-code compliance scanner for AWS CloudTrail" \
      org.opencontainers.image.licenses="Apache-2.0" \
      org.opencontainers.image.base.name="docker.io/library/debian:bookworm-slim"

# The AWS SDK verifies TLS against the system's CA certificates: the build stage's bundle
# (Debian's ca-certificates) saves installing the package, and apt, in this stage.
COPY --from=build /etc/ssl/certs/ca-certificates.crt /etc/ssl/certs/ca-certificates.crt
COPY --from=build /usr/local/bin/trailwarden /usr/local/bin/trailwarden
COPY LICENSE /usr/share/doc/trailwarden/LICENSE

# uid and gid 65532, the usual unprivileged id of minimal images; the Kubernetes recipe runs
# as this id. A home directory for ~/.aws/config, should one be mounted.
RUN groupadd --gid 65532 trailwarden \
    && useradd --uid 65532 --gid 65532 --home-dir /home/trailwarden --create-home --shell /usr/sbin/nologin trailwarden \
    && mkdir /work \
    && chown 65532:65532 /work
USER 65532:65532
WORKDIR /work

ENTRYPOINT ["trailwarden"]
CMD ["--help"]
